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

    /// The target the proofs are about (as given, made absolute by the caller).
    public let target: String
    /// The chunking of the manifests the proofs came from.
    public let parameters: ChunkingParameters
    /// Proofs sorted by fingerprint.
    private(set) var proofs: [Proof]

    /// An empty state for `target` and `parameters`.
    public init(target: String, parameters: ChunkingParameters) {
        self.target = target
        self.parameters = parameters
        proofs = []
    }

    init(target: String, parameters: ChunkingParameters, proofs: consuming [Proof]) {
        self.target = target
        self.parameters = parameters
        proofs.sort { $0.fingerprint < $1.fingerprint }
        self.proofs = proofs
    }

    /// The number of chunks with a proof (of any age).
    public var count: Int { proofs.count }

    /// When `fingerprint` was proven, if it was.
    func provenTime(_ fingerprint: Fingerprint) -> UInt32? {
        var low = 0
        var high = proofs.count
        while low < high {
            let middle = (low + high) / 2
            if proofs[middle].fingerprint < fingerprint { low = middle + 1 } else { high = middle }
        }
        return low < proofs.count && proofs[low].fingerprint == fingerprint ? proofs[low].time : nil
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

extension ProofState {
    static let versionLine = "snapcheck-state v1"

    /// Reads the state at `path`.
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidState`` when the file
    ///   is not a complete, intact state file (its SHA-256 trailer does not match, a header line
    ///   is wrong, the records are not sorted), or ``SnapCheckError/Code/io`` when it cannot be
    ///   read. A lost history is never silently replaced by an empty one.
    public static func read(from path: String) throws(SnapCheckError) -> ProofState {
        let file = try RegularFile.open(path, followSymlinks: true, displayPath: path)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(clamping: max(0, file.status.st_size)))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { scratch.deallocate() }
        while true {
            switch Syscall.read(file.descriptor, into: scratch) {
            case .success(0):
                return try parse(bytes, path: path)
            case .success(let count):
                bytes.append(contentsOf: scratch[0..<count])
            case .failure(let error):
                throw SnapCheckError(.io, "cannot read the state", path: path, errno: error.code)
            }
        }
    }

    private static func parse(_ bytes: [UInt8], path: String) throws(SnapCheckError) -> ProofState {
        func invalid(_ why: String) -> SnapCheckError {
            SnapCheckError(.invalidState, "not an intact snapcheck state file (\(why)); --reset-state starts a new one", path: path)
        }
        guard bytes.count >= 32 else { throw invalid("too short") }
        let body = bytes[..<(bytes.count - 32)]
        guard body.withUnsafeBytes({ SHA256().digest(of: $0) }).bytes.elementsEqual(bytes[(bytes.count - 32)...]) else {
            throw invalid("its checksum does not match: damaged or cut short")
        }
        var lines: [String] = []
        var index = body.startIndex
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
              body.count - (index - body.startIndex) == count * 16 else {
            throw invalid("bad proof count")
        }
        var proofs: [Proof] = []
        proofs.reserveCapacity(count)
        body[index...].withUnsafeBytes { raw in
            for offset in stride(from: 0, to: count * 16, by: 16) {
                proofs.append(Proof(
                    fingerprint: Fingerprint(
                        high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                        low: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))),
                    time: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))))
            }
        }
        for (previous, next) in zip(proofs, proofs.dropFirst()) where !(previous.fingerprint < next.fingerprint) {
            throw invalid("proofs out of order")
        }
        let state = ProofState(target: String(decoding: target, as: UTF8.self), parameters: parameters)
        return ProofState(target: state.target, parameters: parameters, sortedProofs: proofs)
    }

    /// `min=… avg=… max=… level=…` as ``ChunkingParameters/description`` writes it.
    private static func parameters(_ text: String) -> ChunkingParameters? {
        let numbers = text.split(separator: " ").compactMap { $0.split(separator: "=").last.flatMap { Int($0) } }
        guard numbers.count == 4, let parameters = try? ChunkingParameters(
            minSize: numbers[0], avgSize: numbers[1], maxSize: numbers[2], level: numbers[3]),
              parameters.description == text else { return nil }
        return parameters
    }

    private init(target: String, parameters: ChunkingParameters, sortedProofs: [Proof]) {
        self.target = target
        self.parameters = parameters
        proofs = sortedProofs
    }

    /// Writes the state to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws(SnapCheckError) {
        var bytes = Array((Self.versionLine + "\n" + "target " + PathEscaping.escape(Array(target.utf8)) + "\n"
            + "chunking " + parameters.description + "\n" + "proofs \(proofs.count)\n").utf8)
        bytes.reserveCapacity(bytes.count + proofs.count * 16 + 32)
        for proof in proofs {
            withUnsafeBytes(of: proof.fingerprint.high.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: proof.fingerprint.low.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: proof.time.littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: SHA256.digest(of: bytes).bytes)
        let file = try AtomicFile(destination: path)
        if case .failure(let error) = bytes.withUnsafeBytes({ Syscall.writeAll(file.descriptor, $0) }) {
            throw SnapCheckError(.io, "cannot write the state", path: path, errno: error.code)
        }
        try file.commit()
    }
}
