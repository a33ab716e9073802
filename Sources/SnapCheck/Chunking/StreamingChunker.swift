import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Reads a stream once and splits it into FastCDC chunks, hashing each chunk with SHA-256
/// straight out of the read buffer.
///
/// Memory is one buffer of `2 × maxSize + 4 MiB` (12 MiB with the defaults), whatever the size
/// of the input. A cut is only searched for when at least `maxSize` bytes are buffered or the
/// input has ended, which makes the chunks identical to chunking the whole input in memory
/// (docs/chunking.md, "Streaming"). The buffer is large so that moving the unconsumed tail to the front,
/// which happens only when the buffer's end is reached, copies a small share of the bytes.
///
/// An instance owns its buffer and a ``SHA256`` context and is reused from file to file; it is
/// not thread-safe, so give each worker its own.
///
/// ```swift
/// let chunker = StreamingChunker(parameters: .default)
/// try chunker.chunkFile(atPath: "/var/backups/db.dump") { chunk in
///     print(chunk.offset, chunk.length, chunk.digest)
/// }
/// ```
public final class StreamingChunker {
    /// The cut-point search in use.
    public let cdc: FastCDC
    private let buffer: UnsafeMutableRawBufferPointer
    private let hasher = SHA256()

    /// Creates a chunker with its own buffer.
    public init(parameters: ChunkingParameters) {
        cdc = FastCDC(parameters)
        buffer = .allocate(byteCount: 2 * parameters.maxSize + (4 << 20), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Chunks everything that `read` delivers, in order.
    ///
    /// - Parameters:
    ///   - read: fills a prefix of the buffer it is given and returns how many bytes it wrote;
    ///     0 means the end of the input. Short reads are fine.
    ///   - body: called once per chunk, in order, before the chunk's bytes leave the buffer.
    /// - Returns: the number of bytes read.
    public func chunk<Failure: Error>(
        reading read: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int,
        each body: (Chunk) throws(Failure) -> Void
    ) throws(Failure) -> UInt64 {
        try chunk(reading: read, while: { (chunk) throws(Failure) -> Bool in
            try body(chunk)
            return true
        })
    }

    /// Chunks what `read` delivers until `body` returns false or the input ends.
    ///
    /// Alone, it cuts a chunk as soon as `maxSize` bytes are buffered and hashes it at once,
    /// while the bytes are still in cache. With `helpers` (for large files) it fills the whole
    /// buffer, cuts every chunk the buffered bytes allow, and hashes them on the helpers and
    /// this thread together, so that hashing, the larger cost, runs on several cores.
    ///
    /// - Returns: the offset just past the last chunk handed to `body`.
    func chunk<Failure: Error>(
        reading read: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int,
        helpers: HashHelpers? = nil,
        while body: (Chunk) throws(Failure) -> Bool
    ) throws(Failure) -> UInt64 {
        let base = buffer.baseAddress!
        let capacity = buffer.count
        let maxSize = cdc.parameters.maxSize
        var start = 0
        var end = 0
        var endOfInput = false
        var offset: UInt64 = 0
        var pieces: [UnsafeRawBufferPointer] = []
        while true {
            while !endOfInput && (helpers == nil ? end - start < maxSize : end < capacity || start > 0) {
                if end == capacity || (helpers != nil && start > 0) {
                    // Fewer than maxSize bytes are left and the capacity is at least twice
                    // that, so after the move more than half of the buffer is free.
                    memmove(base, base + start, end - start)
                    end -= start
                    start = 0
                }
                // Reads of at most 1 MiB keep the bytes in cache until they are cut and hashed.
                let count = try read(UnsafeMutableRawBufferPointer(start: base + end, count: Swift.min(capacity - end, 1 << 20)))
                if count == 0 { endOfInput = true } else { end += count }
            }
            if start == end { return offset }
            guard let helpers else {
                let bytes = (base + start).assumingMemoryBound(to: UInt8.self)
                let length = cdc.cutPoint(bytes, count: end - start)
                let digest = hasher.digest(of: UnsafeRawBufferPointer(start: bytes, count: length))
                let goOn = try body(Chunk(offset: offset, length: length, digest: digest))
                offset += UInt64(length)
                start += length
                if !goOn { return offset }
                continue
            }
            pieces.removeAll(keepingCapacity: true)
            repeat {
                let length = cdc.cutPoint((base + start).assumingMemoryBound(to: UInt8.self), count: end - start)
                pieces.append(UnsafeRawBufferPointer(start: base + start, count: length))
                start += length
            } while endOfInput ? start < end : end - start >= maxSize
            for (piece, digest) in zip(pieces, helpers.digests(of: pieces, using: hasher)) {
                let goOn = try body(Chunk(offset: offset, length: piece.count, digest: digest))
                offset += UInt64(piece.count)
                if !goOn { return offset }
            }
        }
    }

    /// Chunks an open file descriptor from its current position to its end.
    ///
    /// - Parameters:
    ///   - descriptor: the open file (it is read, not closed).
    ///   - path: what errors name (nil: none).
    ///   - expectedSize: when given, reading stops after that many bytes instead of reading
    ///     once more to find the end (the caller then checks the size itself).
    ///   - body: receives each chunk, in order.
    /// - Returns: the number of bytes read.
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/io`` when a read fails.
    public func chunk(
        _ descriptor: FileDescriptor, path: FilePath? = nil, expectedSize: UInt64? = nil,
        each body: (Chunk) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) -> UInt64 {
        let label = path.map(PathLabel.init) ?? PathLabel(descriptor: descriptor)
        return try chunk(
            fileDescriptor: descriptor.rawValue, label: { label }, expectedSize: expectedSize, helpers: nil, monitor: nil, each: body)
    }

    /// The same, hashing on `helpers` as well when given, and telling `monitor` of every read;
    /// the label for errors is only made when one is thrown.
    func chunk(
        fileDescriptor descriptor: Int32, label: () -> PathLabel, expectedSize: UInt64?, helpers: HashHelpers?,
        monitor: ReadMonitor?, each body: (Chunk) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) -> UInt64 {
        var remaining = expectedSize ?? UInt64.max
        let read = { (target: UnsafeMutableRawBufferPointer) throws(SnapCheckError) -> Int in
            guard remaining > 0 else { return 0 }
            // Before every read (1 MiB): a large file stops promptly.
            let started = try monitor?.startRead()
            let limited = UnsafeMutableRawBufferPointer(rebasing: target[0..<Int(min(UInt64(target.count), remaining))])
            switch Syscall.read(descriptor, into: limited) {
            case .success(let count):
                if let monitor, let started { monitor.finishRead(count, startedAt: started) }
                remaining -= UInt64(count)
                return count
            case .failure(let error): throw SnapCheckError(.io, "read failed", at: label(), errno: error.code)
            }
        }
        return try chunk(reading: read, helpers: helpers, while: { (chunk) throws(SnapCheckError) -> Bool in
            try body(chunk)
            return true
        })
    }

    /// Opens the regular file at `path` (following a symlink given as `path` itself) and chunks
    /// it from start to end.
    ///
    /// - Returns: the number of bytes read.
    /// - Throws: ``SnapCheckError``: ``SnapCheckError/Code/wrongFileType`` for anything but a
    ///   regular file (a FIFO or a device is never read), ``SnapCheckError/Code/io`` when it
    ///   cannot be opened or read.
    @discardableResult
    public func chunkFile(
        at path: FilePath, each body: (Chunk) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) -> UInt64 {
        let file = try RegularFile.open(path, followSymlinks: true)
        return try chunk(fileDescriptor: file.descriptor, label: { PathLabel(path) }, expectedSize: nil, helpers: nil, monitor: nil, each: body)
    }
}
