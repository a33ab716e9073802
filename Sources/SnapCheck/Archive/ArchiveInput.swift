/// What libarchive reads from a descriptor: the bytes as they are, or, when they are gzip,
/// decoded by ISA-L (``GzipInflater``), so that libarchive sees the plain archive inside.
///
/// Whether the input is gzip is told from its first bytes, never from a name. Blocks are
/// 1 MiB; the one handed out stays valid until the next is asked for.
final class ArchiveInput {
    private let descriptor: Int32
    /// Input read but not yet handed on or decoded: `input[start..<end]`.
    private let input: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEndOfInput = false
    /// Decoded bytes, for gzip.
    private let output: UnsafeMutableRawBufferPointer
    /// The decoder, once the first bytes showed gzip.
    private var inflater: GzipInflater?
    private var looked = false
    /// Bytes of the input consumed so far (handed on, or decoded).
    private(set) var consumed: Int64 = 0

    /// Reads `descriptor` in blocks of `blockSize` bytes (more than 0: the buffers' base
    /// addresses are then never nil).
    init(descriptor: Int32, blockSize: Int = 1 << 20) {
        self.descriptor = descriptor
        input = .allocate(byteCount: blockSize, alignment: 64)
        output = .allocate(byteCount: blockSize, alignment: 64)
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    /// Whether the input is gzip, decoded here (known after the first ``next()``).
    var isGzip: Bool { inflater != nil }

    /// Why reading failed.
    struct Failure: Error {
        var message: String
    }

    /// The next block for libarchive; empty at the end of the input.
    func next() throws(Failure) -> UnsafeRawBufferPointer {
        if !looked {
            looked = true
            try fill(atLeast: 3)
            if GzipInflater.starts(UnsafeRawBufferPointer(rebasing: input[start..<end])) { inflater = GzipInflater() }
        }
        guard let inflater else {
            if start == end { try fill(atLeast: 1) }
            let block = UnsafeRawBufferPointer(rebasing: input[start..<end])
            consumed += Int64(block.count)
            start = end
            return block
        }
        while true {
            // After a member's end, enough bytes to see whether another begins.
            try fill(atLeast: inflater.canEnd ? 3 : 1)
            let (written, used): (Int, Int)
            do {
                (written, used) = try inflater.decode(UnsafeRawBufferPointer(rebasing: input[start..<end]), into: output)
            } catch {
                throw Failure(message: error.message)
            }
            start += used
            consumed += Int64(used)
            if written > 0 { return UnsafeRawBufferPointer(rebasing: output[..<written]) }
            if inflater.ended { return UnsafeRawBufferPointer(start: nil, count: 0) }
            if used == 0 {
                // Nothing decoded from what waits: more input, or it broke off.
                if atEndOfInput { throw Failure(message: "gzip stream cut short") }
                try fill(atLeast: end - start + 1)
            }
        }
    }

    /// Reads until at least `count` bytes wait (or the input ends).
    private func fill(atLeast count: Int) throws(Failure) {
        guard end - start < count, !atEndOfInput else { return }
        if start > 0 {
            input.baseAddress!.copyMemory(from: input.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        while end - start < count && !atEndOfInput {
            switch Syscall.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: input[end...])) {
            case .success(0): atEndOfInput = true
            case .success(let read): end += read
            case .failure(let error): throw Failure(message: "read failed: \(error)")
            }
        }
    }
}
