import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Which chunks of a target were read and proven intact, and when: the memory that lets
/// spot-checks roll across runs until every chunk is proven (see ``SpotCheck``).
///
/// A chunk is known by a 12-byte fingerprint of its path, offset and SHA-256, so a new
/// manifest of a changed tree keeps the proofs of every chunk whose path, offset and digest did
/// not change. Each proof is 16 bytes: the fingerprint and the time of the proof in seconds
/// since the epoch (unsigned 32 bits: until 2106). Only chunks proven within the window are
/// kept. The file format is in docs/spot-check.md ("The state file").
///
/// A state read from a file stays in the file (mapped, read-only), and the state a run leaves
/// refers to the earlier one plus what changed, so memory does not grow with the number of
/// proofs.
public struct ProofState: Sendable {
    /// A chunk's identity in the state: the first 12 bytes of SHA-256(path, NUL, offset as 8
    /// little-endian bytes, chunk digest).
    struct Fingerprint: Hashable, Comparable, Sendable {
        var high: UInt64
        var low: UInt32

        static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
    }

    /// One proof.
    struct Proof: Sendable {
        var fingerprint: Fingerprint
        /// Seconds since the epoch.
        var time: UInt32
    }

    /// Where the proofs are: sorted records, or earlier records (those marked kept) merged
    /// with new proofs.
    enum Storage: Sendable {
        case records(ProofRecords)
        case merged(previous: ProofRecords, kept: Bitmap, fresh: FreshProofs)
    }

    /// The target the proofs are about (as given, made absolute by the caller).
    public let target: FilePath
    /// The chunking of the manifests the proofs came from.
    public let parameters: ChunkingParameters
    let storage: Storage

    /// An empty state for `target` and `parameters`.
    public init(target: FilePath, parameters: ChunkingParameters) {
        self.init(target: target, parameters: parameters, storage: .records(ProofRecords()))
    }

    init(target: FilePath, parameters: ChunkingParameters, storage: Storage) {
        self.target = target
        self.parameters = parameters
        self.storage = storage
    }

    /// The number of chunks with a proof (of any age).
    public var count: Int {
        switch storage {
        case .records(let records): records.count
        case .merged(_, let kept, let fresh): kept.count + fresh.count
        }
    }

    /// The sorted records of a state read from a file or made empty; nil for a merged state.
    var records: ProofRecords? {
        if case .records(let records) = storage { return records }
        return nil
    }

    /// Calls `body` with every proof, in fingerprint order.
    func forEach(_ body: (Proof) throws(SnapCheckError) -> Void) throws(SnapCheckError) {
        switch storage {
        case .records(let records):
            for index in 0..<records.count { try body(records[index]) }
        case .merged(let previous, let kept, let fresh):
            // Two sorted streams: the earlier proofs kept, and the new ones.
            var next = 0
            func emitKept(before limit: Fingerprint?) throws(SnapCheckError) {
                while next < previous.count {
                    if kept[next] {
                        let old = previous[next]
                        if let limit, !(old.fingerprint < limit) { return }
                        try body(old)
                    }
                    next += 1
                }
            }
            try fresh.forEach { (proof) throws(SnapCheckError) in
                try emitKept(before: proof.fingerprint)
                try body(proof)
            }
            try emitKept(before: nil)
        }
    }

    /// The fingerprint of chunk `index` of `entry`, computed with `hasher`.
    static func fingerprint(of entry: TreeEntry, chunk index: Int, using hasher: SHA256) -> Fingerprint {
        let chunk = entry.chunks[index]
        // Hashed piece by piece, without building the message: this runs for every chunk.
        entry.path.withUnsafeBytes { hasher.update($0) }
        withUnsafeBytes(of: UInt8(0)) { hasher.update($0) }
        let words = chunk.digest.words
        let rest = (chunk.offset.littleEndian, words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
        withUnsafeBytes(of: rest) { hasher.update($0) }
        // A digest's words hold its bytes most significant first: bytes 0-7, then 8-11.
        let digest = hasher.finalize().words
        return Fingerprint(high: digest.0, low: UInt32(truncatingIfNeeded: digest.1 >> 32))
    }
}

/// Sorted 16-byte proof records, read-only: a mapped state file, or nothing.
final class ProofRecords: @unchecked Sendable {
    // @unchecked: immutable after init; the memory (a read-only mapping, or a buffer filled in
    // init) lives exactly as long as this object (unmapped or freed in deinit).
    private let base: UnsafeRawPointer?
    private let mapping: (address: UnsafeMutableRawPointer, length: Int)?
    private let allocated: UnsafeMutableRawPointer?
    /// The number of records.
    let count: Int

    /// No records.
    init() {
        base = nil
        mapping = nil
        allocated = nil
        count = 0
    }

    /// A copy of `state`'s proofs in memory (for a state that was never written to a file).
    init(copying state: ProofState) throws(SnapCheckError) {
        count = state.count
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(1, count * 16), alignment: 16)
        var offset = 0
        try state.forEach { (proof) throws(SnapCheckError) in
            memory.storeBytes(of: proof.fingerprint.high.littleEndian, toByteOffset: offset, as: UInt64.self)
            memory.storeBytes(of: proof.fingerprint.low.littleEndian, toByteOffset: offset + 8, as: UInt32.self)
            memory.storeBytes(of: proof.time.littleEndian, toByteOffset: offset + 12, as: UInt32.self)
            offset += 16
        }
        allocated = memory
        base = UnsafeRawPointer(memory)
        mapping = nil
    }

    /// Records at `base` (count of them) inside a mapping this object now owns.
    init(base: UnsafeRawPointer, count: Int, mapping: (UnsafeMutableRawPointer, Int)) {
        self.base = base
        self.count = count
        self.mapping = mapping
        allocated = nil
    }

    deinit {
        if let mapping { munmap(mapping.address, mapping.length) }
        allocated?.deallocate()
    }

    /// The record at `index`, 0 ..< ``count`` (so `base` is set: it is nil only when count is 0).
    subscript(index: Int) -> ProofState.Proof {
        let offset = index * 16
        return ProofState.Proof(
            fingerprint: ProofState.Fingerprint(
                high: UInt64(littleEndian: base!.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                low: UInt32(littleEndian: base!.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))),
            time: UInt32(littleEndian: base!.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
    }

    /// The index of `fingerprint`, by binary search.
    func find(_ fingerprint: ProofState.Fingerprint) -> Int? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].fingerprint < fingerprint { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low].fingerprint == fingerprint ? low : nil
    }
}

extension ProofState {
    static let versionLine = "snapcheck-state v1"

    /// Reads the state at `path` (mapping it, not copying it into memory).
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidState`` when the file
    ///   is not a complete, intact state file (its SHA-256 trailer does not match, a header line
    ///   is wrong, the records are not sorted), or ``SnapCheckError/Code/io`` when it cannot be
    ///   read. A lost history is never silently replaced by an empty one.
    public static func read(from path: FilePath) throws(SnapCheckError) -> ProofState {
        func invalid(_ why: String) -> SnapCheckError {
            SnapCheckError(.invalidState, "not an intact snapcheck state file (\(why)); --reset-state starts a new one", path: path)
        }
        let file = try RegularFile.open(path, followSymlinks: true)
        let length = Int(clamping: max(0, file.status.st_size))
        guard length >= 32 else { throw invalid("too short") }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, file.descriptor, 0), address != MAP_FAILED else {
            throw SnapCheckError(.io, "cannot read the state", path: path, errno: errno)
        }
        var owned = true
        defer { if owned { munmap(address, length) } }
        let bytes = UnsafeRawBufferPointer(start: address, count: length)
        let body = UnsafeRawBufferPointer(rebasing: bytes[..<(length - 32)])
        guard SHA256().digest(of: body).bytes.elementsEqual(bytes[(length - 32)...]) else {
            throw invalid("its checksum does not match: damaged or cut short")
        }
        var lines: [String] = []
        var index = 0
        while lines.count < 4 {
            guard let newline = body[index...].firstIndex(of: 0x0A) else { throw invalid("header cut short") }
            lines.append(String(decoding: body[index..<newline], as: UTF8.self))
            index = newline + 1
        }
        guard lines[0] == versionLine else { throw invalid("unknown version") }
        guard lines[1].hasPrefix("target "), let target = PathEscaping.unescape(lines[1].dropFirst(7).utf8) else {
            throw invalid("bad target line")
        }
        guard lines[2].hasPrefix("chunking "), let parameters = Self.parameters(String(lines[2].dropFirst(9))) else {
            throw invalid("bad chunking line")
        }
        guard lines[3].hasPrefix("proofs "), let count = Int(lines[3].dropFirst(7)), count >= 0,
              body.count - index == count * 16 else {
            throw invalid("bad proof count")
        }
        owned = false
        let records = ProofRecords(base: UnsafeRawPointer(address) + index, count: count, mapping: (address, length))
        for position in stride(from: 1, to: count, by: 1) where !(records[position - 1].fingerprint < records[position].fingerprint) {
            throw invalid("proofs out of order")
        }
        return ProofState(target: FilePath(bytes: target), parameters: parameters, storage: .records(records))
    }

    /// `min=… avg=… max=… level=…` as ``ChunkingParameters/description`` writes it.
    private static func parameters(_ text: String) -> ChunkingParameters? {
        let numbers = text.split(separator: " ").compactMap { $0.split(separator: "=").last.flatMap { Int($0) } }
        guard numbers.count == 4, let parameters = try? ChunkingParameters(
            minSize: numbers[0], avgSize: numbers[1], maxSize: numbers[2], level: numbers[3]),
              parameters.description == text else { return nil }
        return parameters
    }

    /// Writes the state to `path` atomically (temporary file, fsync, rename), streaming the
    /// proofs in fingerprint order.
    public func write(to path: FilePath) throws(SnapCheckError) {
        let file = try AtomicFile(destination: path)
        let checksum = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func flush() throws(SnapCheckError) {
            buffer.withUnsafeBytes { checksum.update($0) }
            if case .failure(let error) = buffer.withUnsafeBytes({ Syscall.writeAll(file.descriptor, $0) }) {
                throw SnapCheckError(.io, "cannot write the state", path: path, errno: error.code)
            }
            buffer.removeAll(keepingCapacity: true)
        }
        buffer.append(contentsOf: (Self.versionLine + "\n" + "target " + PathEscaping.escape(target.bytes) + "\n"
            + "chunking " + parameters.description + "\n" + "proofs \(count)\n").utf8)
        try forEach { (proof) throws(SnapCheckError) in
            withUnsafeBytes(of: proof.fingerprint.high.littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: proof.fingerprint.low.littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: proof.time.littleEndian) { buffer.append(contentsOf: $0) }
            if buffer.count >= 1 << 16 { try flush() }
        }
        try flush()
        buffer.append(contentsOf: checksum.finalize().bytes)
        if case .failure(let error) = buffer.withUnsafeBytes({ Syscall.writeAll(file.descriptor, $0) }) {
            throw SnapCheckError(.io, "cannot write the state", path: path, errno: error.code)
        }
        try file.commit()
    }
}
