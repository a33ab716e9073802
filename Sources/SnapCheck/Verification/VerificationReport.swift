/// The outcome of a verification: what was expected, what was proven, what was found.
public struct VerificationReport: Sendable, Hashable, Codable {
    /// The manifest's snapshot id (nil for `compare`, which has no stored manifest).
    public var snapshotID: Digest?
    /// Entries in the manifest.
    public var expectedEntries = 0
    /// Regular files in the manifest.
    public var expectedFiles = 0
    /// Bytes of regular files in the manifest.
    public var expectedBytes: UInt64 = 0
    /// Regular files whose every byte was read and matched.
    public var intactFiles = 0
    /// Bytes of those files.
    public var intactBytes: UInt64 = 0
    /// How many findings of one kind, and the bytes they concern.
    public struct Tally: Sendable, Hashable, Codable {
        /// Number of findings.
        public var count = 0
        /// Bytes concerned: for `content`, the damaged files' sizes.
        public var bytes: UInt64 = 0
        /// For `content`: the bytes of the damaged chunks (``Finding/differingBytes``), which
        /// hold the differences; 0 for other kinds.
        public var differingBytes: UInt64 = 0
        /// For `content`: the number of damaged chunks; 0 for other kinds.
        public var differingChunks = 0

        /// Creates a tally.
        public init(count: Int = 0, bytes: UInt64 = 0, differingBytes: UInt64 = 0, differingChunks: Int = 0) {
            self.count = count
            self.bytes = bytes
            self.differingBytes = differingBytes
            self.differingChunks = differingChunks
        }
    }

    /// Findings per kind.
    public var byKind: [Finding.Kind: Tally] = [:]
    /// Findings that count (the backup is not proven while this is above zero).
    public var counted = 0
    /// Findings reported as warnings only.
    public var warnings = 0
    /// Findings and proofs by directory, when ``VerifyOptions/directoryDepth`` asked for them;
    /// they add up to the totals above.
    public var directories: [DirectoryCoverage] = []
    /// Whether content was checked for a sample of chunks only (a spot-check).
    public var sampled = false
    /// Whether every byte of every regular file in the manifest was read and compared. False
    /// for a spot-check that did not read every chunk: such a check proves what it read and no
    /// more, so it is never ``verified``.
    public var complete = true

    /// Creates an empty report.
    public init() {}

    /// Whether the backup is proven: every byte of the snapshot was read and matched
    /// (``complete``) and nothing that counts differs.
    ///
    /// A spot-check that found nothing but did not read every chunk is not verified: see
    /// ``hasCountedFindings`` for "nothing wrong in what was examined".
    public var verified: Bool { counted == 0 && complete }

    /// Whether a finding that counts was made in what was examined (the exit status 1 of the
    /// command-line tool).
    public var hasCountedFindings: Bool { counted > 0 }

    /// The share of the manifest's regular files proven intact, 0 ... 1 (1 for no files).
    public var fileCoverage: Double { expectedFiles == 0 ? 1 : Double(intactFiles) / Double(expectedFiles) }

    /// The share of the manifest's bytes proven intact, 0 ... 1 (1 for no bytes).
    public var byteCoverage: Double { expectedBytes == 0 ? 1 : Double(intactBytes) / Double(expectedBytes) }

    mutating func add(_ finding: Finding) {
        byKind[finding.kind, default: Tally()].count += 1
        byKind[finding.kind, default: Tally()].bytes = byKind[finding.kind, default: Tally()].bytes.saturatingAdd(finding.bytes)
        byKind[finding.kind, default: Tally()].differingBytes = byKind[finding.kind, default: Tally()].differingBytes.saturatingAdd(finding.differingBytes)
        byKind[finding.kind, default: Tally()].differingChunks += finding.ranges.count { $0.length > 0 }
        if finding.counts { counted += 1 } else { warnings += 1 }
    }
}
