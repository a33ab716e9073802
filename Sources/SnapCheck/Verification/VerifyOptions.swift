/// What counts against a backup, and how the verification runs.
public struct VerifyOptions: Sendable {
    /// How differences in mode and modification time are treated.
    public enum MetadataPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Reported as warnings; they do not keep the backup from being verified (default).
        case warn
        /// Reported, and they count.
        case strict
        /// Not reported.
        case ignore
    }

    /// How metadata differences are treated.
    public var metadata: MetadataPolicy
    /// Extra entries in the target (a backup folder that keeps older files) are reported as
    /// warnings instead of counting.
    public var allowExtra: Bool
    /// What the walk of the target leaves out (use the exclusions the manifest was made with).
    public var walk: WalkOptions
    /// Worker threads that read and hash files (default: one per core).
    public var threads: Int
    /// A limit shared with other jobs running at the same time; nil for none (see
    /// ``ThreadBudget``).
    public var threadBudget: ThreadBudget?
    /// The snapshot id the manifest must have; nil accepts any intact manifest. A manifest with
    /// another id is refused with ``SnapCheckError/Code/unexpectedSnapshot`` (for a
    /// verification, once the manifest has been read to its end). Not used by `compare`,
    /// which has no stored manifest.
    public var expectedSnapshot: Digest?
    /// Report findings and proofs by directory at this depth (1: the top-level directories);
    /// nil for none. See ``VerificationReport/directories``.
    public var directoryDepth: Int?
    /// Stops the verification early when cancelled (the async entry points set one).
    public var cancellation: Cancellation?
    /// Whether progress reports carry the totals to expect (``VerificationProgress/expectedFiles``
    /// and ``VerificationProgress/expectedBytes``). For a manifest file they come from a second
    /// read of the manifest on a thread of its own (default true; it costs a little CPU while
    /// the verification runs, and only when there is a progress handler).
    public var countsTotals = true
    /// How often progress is reported while the work waits on a file being read (default
    /// 100 ms), so that a display moves even inside one large file. Reports also come after
    /// every batch of finished entries.
    public var progressInterval: Duration = .milliseconds(100)
    /// Whether workers hand back which chunks of each file matched (set when proofs are
    /// recorded for rolling spot-checks; it costs a little per file otherwise).
    var recordsProofs = false
    /// Whether to read ahead (``Prefetcher``) even when reads do not wait: for tests, which
    /// run on the page cache.
    var readsAheadAlways = false

    /// Creates options; the defaults are the strict contract: everything but metadata counts.
    public init(
        metadata: MetadataPolicy = .warn, allowExtra: Bool = false, walk: WalkOptions = WalkOptions(), threads: Int? = nil,
        expectedSnapshot: Digest? = nil
    ) {
        self.expectedSnapshot = expectedSnapshot
        self.metadata = metadata
        self.allowExtra = allowExtra
        self.walk = walk
        self.threads = SnapshotOptions(threads: threads).threads
    }
}
