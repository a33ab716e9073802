#if canImport(Glibc)
import Glibc
#endif

/// The proofs a run makes, in any number, in bounded memory: they are sorted in runs of at
/// most 65,536 (1 MiB), each run written to an unlinked temporary file, and read back merged
/// in fingerprint order (a run held in memory until then).
///
/// A verification with `--state` proves every chunk of the manifest; without this its proofs
/// would take 16 bytes a chunk of memory until the state is written.
final class FreshProofs: @unchecked Sendable {
    // @unchecked: appended to by one thread while a run goes on; after ``finish()`` nothing
    // changes, and reading the file uses positioned reads, which share no file position.
    private static let runLength = 1 << 16
    private var buffer: [ProofState.Proof] = []
    private var runs: [(offset: Int, count: Int)] = []
    private var descriptor: Int32 = -1
    private var writer: Int32 = -1
    private var spilled = 0
    /// The number of proofs.
    private(set) var count = 0

    init() {}

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if writer >= 0 { close(writer) }
    }

    /// Adds a proof.
    func append(_ proof: ProofState.Proof) throws(SnapCheckError) {
        buffer.append(proof)
        count += 1
        if buffer.count >= Self.runLength { try spill() }
    }

    /// Sorts the proofs not yet written; call once, after the last ``append(_:)``.
    func finish() {
        buffer.sort { $0.fingerprint < $1.fingerprint }
    }

    private func spill() throws(SnapCheckError) {
        buffer.sort { $0.fingerprint < $1.fingerprint }
        if descriptor < 0 {
            (writer, descriptor) = try TemporaryFile.scratch(named: "proofs", purpose: "proofs")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buffer.count * 16)
        for proof in buffer { Self.encode(proof, into: &bytes) }
        if case .failure(let error) = bytes.withUnsafeBytes({ Syscall.writeAll(writer, $0) }) {
            throw SnapCheckError(.io, "cannot write proofs to a temporary file", errno: error.code)
        }
        runs.append((spilled, buffer.count))
        spilled += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with every proof in fingerprint order. Precondition: ``finish()`` was called.
    func forEach(_ body: (ProofState.Proof) throws(SnapCheckError) -> Void) throws(SnapCheckError) {
        var cursors = runs.map { Cursor(run: $0) }
        // The next proof of every run on file, smallest first; the run in memory beside them.
        var heap = ProofHeap()
        for index in cursors.indices {
            if let proof = try cursors[index].next(descriptor) { heap.push(proof, index) }
        }
        var memory = 0
        while true {
            let fromMemory = memory < buffer.count ? buffer[memory] : nil
            if let fromMemory, heap.top.map({ fromMemory.fingerprint < $0.proof.fingerprint }) ?? true {
                try body(fromMemory)
                memory += 1
                continue
            }
            guard let (proof, index) = heap.pop() else { return }
            try body(proof)
            if let next = try cursors[index].next(descriptor) { heap.push(next, index) }
        }
    }

    static func encode(_ proof: ProofState.Proof, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: proof.fingerprint.high.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: proof.fingerprint.low.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: proof.time.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads one sorted run back, 4,096 proofs at a time.
    private struct Cursor {
        let run: (offset: Int, count: Int)
        var position = 0
        var block: [ProofState.Proof] = []
        var blockStart = 0

        init(run: (offset: Int, count: Int)) { self.run = run }

        /// The run's next proof, or nil at its end.
        mutating func next(_ descriptor: Int32) throws(SnapCheckError) -> ProofState.Proof? {
            guard position < run.count else { return nil }
            if position - blockStart >= block.count {
                let wanted = min(4096, run.count - position)
                var bytes = [UInt8](repeating: 0, count: wanted * 16)
                let offset = UInt64((run.offset + position) * 16)
                switch bytes.withUnsafeMutableBytes({ Syscall.preadAll(descriptor, into: $0, at: offset) }) {
                case .success(let count) where count < bytes.count:
                    throw SnapCheckError(.io, "a temporary file of proofs was cut short")
                case .success: break
                case .failure(let error): throw SnapCheckError(.io, "cannot read proofs back from a temporary file", errno: error.code)
                }
                block = bytes.withUnsafeBytes { raw in
                    stride(from: 0, to: raw.count, by: 16).map { offset in
                        ProofState.Proof(
                            fingerprint: ProofState.Fingerprint(
                                high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                                low: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))),
                            time: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                    }
                }
                blockStart = position
            }
            defer { position += 1 }
            return block[position - blockStart]
        }
    }

    /// A binary min-heap of proofs by fingerprint, each with the run it came from.
    private struct ProofHeap {
        private var items: [(proof: ProofState.Proof, run: Int)] = []

        var top: (proof: ProofState.Proof, run: Int)? { items.first }

        mutating func push(_ proof: ProofState.Proof, _ run: Int) {
            items.append((proof, run))
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard items[child].proof.fingerprint < items[parent].proof.fingerprint else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> (ProofState.Proof, Int)? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let smallest = items.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smaller = parent
                if left < items.count && items[left].proof.fingerprint < items[smaller].proof.fingerprint { smaller = left }
                if right < items.count && items[right].proof.fingerprint < items[smaller].proof.fingerprint { smaller = right }
                guard smaller != parent else { return (smallest.proof, smallest.run) }
                items.swapAt(parent, smaller)
                parent = smaller
            }
        }
    }
}
