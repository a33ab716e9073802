import SystemPackage

extension SpotCheck {
    /// What a rolling spot-check needs: the proofs of earlier runs, how long a proof counts,
    /// and the time now.
    public struct Rolling: Sendable {
        /// The proofs of earlier runs; nil when there are none yet.
        public var state: ProofState?
        /// How long a proof counts, in seconds (30 days: 2,592,000).
        public var window: UInt32
        /// The time of this run, in seconds since the epoch.
        public var now: UInt32

        /// Creates rolling options.
        public init(state: ProofState?, window: UInt32, now: UInt32) {
            self.state = state
            self.window = window
            self.now = now
        }
    }

    /// What is proven within the window after a rolling spot-check.
    public struct Coverage: Sendable, Hashable, Codable {
        /// Chunks of the manifest proven within the window.
        public var provenChunks: Int
        /// Chunks in the manifest.
        public var totalChunks: Int
        /// Bytes of the proven chunks.
        public var provenBytes: UInt64
        /// Bytes of all the manifest's regular files.
        public var totalBytes: UInt64
        /// Further runs of this size that prove every chunk not yet proven (0 when all are;
        /// nil when a run reads nothing).
        public var runsToFullCoverage: Int?
        /// When the oldest proof still counted was made (seconds since the epoch), if any.
        public var oldestProof: UInt32?
        /// The window, in seconds.
        public var window: UInt32

        /// The share of chunks proven, 0 ... 1 (1 for a manifest without chunks).
        public var chunkShare: Double { totalChunks == 0 ? 1 : Double(provenChunks) / Double(totalChunks) }
        /// The share of bytes proven, 0 ... 1.
        public var byteShare: Double { totalBytes == 0 ? 1 : Double(provenBytes) / Double(totalBytes) }
        /// When the oldest proof stops counting (seconds since the epoch), if there is one.
        public var oldestProofExpires: UInt64? { oldestProof.map { UInt64($0) + UInt64(window) } }
    }
}

extension Verifier {
    /// Verifies `target` as `verify(manifest:target:options:finding:progress:)` does and
    /// records every chunk it proved (those of the intact files) as proven now, for later
    /// rolling spot-checks (see ``SpotCheck/Rolling``): after a verification the state holds
    /// exactly what it proved.
    ///
    /// - Returns: the report, the proofs (to be written with ``ProofState/write(to:)``), and
    ///   why the given state was not used, if it was made for another target or chunking.
    public static func verify(
        manifest: FilePath, target: FilePath, options: VerifyOptions = VerifyOptions(), recording rolling: SpotCheck.Rolling,
        finding: (Finding) -> Void = { _ in }, progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> (report: VerificationReport, state: ProofState, stateDiscarded: String?) {
        // Only what this verification proved counts (it read every chunk there is), so the
        // ledger starts empty; proofs go in as files are proven, so memory does not grow with
        // the tree.
        var ledger = ProofLedger(SpotCheck.Rolling(state: nil, window: rolling.window, now: rolling.now), target: target)
        let (report, parameters) = try verify(
            manifest: manifest, target: target, options: options, proven: { ledger.prove($0, $1) },
            finding: finding, progress: progress)
        return (report, try ledger.state(parameters: parameters), ProofLedger.discardReason(rolling.state, target: target, parameters: parameters))
    }
}

/// The proofs of one rolling spot-check while it runs: which chunks were proven within the
/// window before it, which it proves now, and the state to keep after it.
struct ProofLedger {
    /// The earlier proofs that count for this target, sorted.
    private let previous: ProofRecords
    private let target: FilePath
    private let window: UInt32
    private let now: UInt32
    /// Which earlier proofs this run carries over (a bit each), and the proofs it makes
    /// (16 bytes each): the state after the run refers to the earlier one, so memory does not
    /// grow with it.
    private var kept: Bitmap
    private let fresh = FreshProofs()
    /// The first failure to keep a new proof (a full temporary folder), reported at the end.
    private var failure: SnapCheckError?
    private var proven = 0
    private var provenBytes: UInt64 = 0
    private var oldest: UInt32?
    /// With a directory depth: chunks and proven chunks by directory (see ``DirectoryTally``).
    private let depth: Int?
    private var chunksByDirectory: [[UInt8]: Int] = [:]
    private var provenByDirectory: [[UInt8]: Int] = [:]
    /// Fingerprints of the entry last split, for ``keepOld(_:except:)``.
    private var pending: [ProofState.Fingerprint] = []
    private let hasher = SHA256()

    /// A ledger for `target`; the earlier proofs are used only if they are for this target
    /// (and, when `parameters` is given, this chunking).
    init(_ rolling: SpotCheck.Rolling, target: FilePath, parameters: ChunkingParameters? = nil, directoryDepth: Int? = nil) {
        depth = directoryDepth
        window = rolling.window
        now = rolling.now
        self.target = target
        let usable = parameters.map { Self.discardReason(rolling.state, target: target, parameters: $0) == nil } ?? (rolling.state?.target == target)
        var records = ProofRecords()
        if usable, let state = rolling.state {
            // A state read from a file is used where it lies; one made in this process (a
            // caller chaining runs without writing) is copied once into sorted records.
            records = state.records ?? ((try? ProofRecords(copying: state)) ?? ProofRecords())
        }
        previous = records
        kept = Bitmap(size: records.count)
    }

    /// Why `state` cannot be used for `target` and `parameters`; nil when it can (or is nil).
    static func discardReason(_ state: ProofState?, target: FilePath, parameters: ChunkingParameters) -> String? {
        guard let state else { return nil }
        if state.target != target { return "it was made for the target \(state.target.display)" }
        if state.parameters != parameters { return "it was made for manifests with other chunking (\(state.parameters))" }
        return nil
    }

    /// Whether a proof made at `time` still counts.
    private func counts(_ time: UInt32) -> Bool { time > now || now - time < window }

    /// The earlier proof of `fingerprint` that still counts: its index and time.
    private func earlierProof(_ fingerprint: ProofState.Fingerprint) -> (index: Int, time: UInt32)? {
        guard let index = previous.find(fingerprint) else { return nil }
        let time = previous[index].time
        return counts(time) ? (index, time) : nil
    }

    /// The chunks of `entry` without a proof that counts.
    mutating func countUnproven(_ entry: TreeEntry) -> Int {
        if let depth, !entry.chunks.isEmpty { chunksByDirectory[DirectoryTally.key(entry.path, depth: depth), default: 0] += entry.chunks.count }
        return entry.chunks.indices.count { earlierProof(ProofState.fingerprint(of: entry, chunk: $0, using: hasher)) == nil }
    }

    /// The indexes of `entry`'s chunks without and with a proof that counts.
    mutating func split(_ entry: TreeEntry) -> (unproven: [Int], proven: [Int]) {
        pending = entry.chunks.indices.map { ProofState.fingerprint(of: entry, chunk: $0, using: hasher) }
        var unproven: [Int] = []
        var proven: [Int] = []
        for (index, fingerprint) in pending.enumerated() {
            if earlierProof(fingerprint) == nil { unproven.append(index) } else { proven.append(index) }
        }
        return (unproven, proven)
    }

    /// Carries over the proofs that count of `entry`'s chunks (the entry last split) that are
    /// not read again now; a chunk read now keeps a proof only if it matches again.
    mutating func keepOld(_ entry: TreeEntry, except chosen: [Int]) {
        let reread = Set(chosen)
        for (index, fingerprint) in pending.enumerated() where !reread.contains(index) {
            if let earlier = earlierProof(fingerprint) {
                kept.set(earlier.index)
                count(ProofState.Proof(fingerprint: fingerprint, time: earlier.time), entry.chunks[index].length, entry)
            }
        }
    }

    /// Records that `chunks` of `entry` were read and matched now.
    mutating func prove(_ entry: TreeEntry, _ chunks: VerifyItem.ProvenChunks) {
        let indexes: [Int]
        switch chunks {
        case .all: indexes = Array(entry.chunks.indices)
        case .some(let some): indexes = some
        }
        for index in indexes {
            let fingerprint = ProofState.fingerprint(of: entry, chunk: index, using: hasher)
            let proof = ProofState.Proof(fingerprint: fingerprint, time: now)
            do {
                try fresh.append(proof)
            } catch {
                failure = failure ?? error
            }
            count(proof, entry.chunks[index].length, entry)
        }
    }

    /// Adds a proof that counts after this run to the totals.
    private mutating func count(_ proof: ProofState.Proof, _ length: Int, _ entry: TreeEntry) {
        if let depth { provenByDirectory[DirectoryTally.key(entry.path, depth: depth), default: 0] += 1 }
        proven += 1
        provenBytes += UInt64(length)
        oldest = min(oldest ?? proof.time, proof.time)
    }

    /// The proofs after this run, for manifests with `parameters`; call it once, at the end.
    ///
    /// - Throws: ``SnapCheckError`` when new proofs could not be kept (a temporary file could
    ///   not be written).
    func state(parameters: ChunkingParameters) throws(SnapCheckError) -> ProofState {
        if let failure { throw failure }
        fresh.finish()
        return ProofState(target: target, parameters: parameters, storage: .merged(previous: previous, kept: kept, fresh: fresh))
    }

    /// `directories` with their window coverage filled in.
    func addingWindowCoverage(to directories: [DirectoryCoverage]) -> [DirectoryCoverage] {
        directories.map { directory in
            var directory = directory
            directory.window = DirectoryCoverage.Window(provenChunks: provenByDirectory[directory.path] ?? 0, chunks: chunksByDirectory[directory.path] ?? 0)
            return directory
        }
    }

    /// The coverage after this run, for a run size of `perRun` chunks.
    func coverage(totalChunks: Int, totalBytes: UInt64, perRun: Int) -> SpotCheck.Coverage {
        let missing = totalChunks - proven
        return SpotCheck.Coverage(
            provenChunks: proven, totalChunks: totalChunks, provenBytes: provenBytes, totalBytes: totalBytes,
            runsToFullCoverage: missing == 0 ? 0 : perRun > 0 ? (missing + perRun - 1) / perRun : nil,
            oldestProof: oldest, window: window)
    }
}
