import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// How ``SnapshotBuilder`` records a tree.
public struct SnapshotOptions: Sendable {
    /// The chunking parameters (default: ``ChunkingParameters/default``).
    public var chunking: ChunkingParameters
    /// What the walk leaves out.
    public var walk: WalkOptions
    /// Worker threads that read and hash files (default: one per core).
    public var threads: Int
    /// A limit shared with other jobs running at the same time; nil for none (see
    /// ``ThreadBudget``).
    public var threadBudget: ThreadBudget?
    /// Stops the walk early when cancelled (the async entry points set one).
    public var cancellation: Cancellation?
    /// Whether progress reports carry totals (``SnapshotProgress/totalFiles`` and
    /// ``SnapshotProgress/totalBytes``), found by a second, stat-only walk of the tree on a
    /// thread of its own (default true). Turn it off on slow storage, where the second walk
    /// competes with the first.
    public var countsTotals = true
    /// How often progress is reported while the work waits on a file being read (default
    /// 100 ms), so that a display moves even inside one large file.
    public var progressInterval: Duration = .milliseconds(100)
    /// Whether to read ahead (``Prefetcher``) even when reads do not wait: for tests, which
    /// run on the page cache.
    var readsAheadAlways = false

    /// Creates options; the defaults suit most trees.
    public init(chunking: ChunkingParameters = .default, walk: WalkOptions = WalkOptions(), threads: Int? = nil) {
        self.chunking = chunking
        self.walk = walk
        self.threads = max(1, threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// How far a run has come, for progress displays.
public struct SnapshotProgress: Sendable, Hashable, Codable {
    /// Entries recorded so far.
    public var entries: Int
    /// Regular files recorded so far.
    public var files: Int
    /// Bytes of regular files recorded so far (whole files).
    public var bytes: UInt64
    /// Bytes read so far, including files still being read: it moves steadily even inside one
    /// large file. Compare it with ``totalBytes`` for a progress bar.
    public var readBytes: UInt64 = 0
    /// The entry the walk has reached (relative to the root), if any yet.
    public var currentPath: FilePath?
    /// Regular files in the whole tree, once a separate counting walk has finished.
    public var totalFiles: Int?
    /// Bytes in the whole tree, once a separate counting walk has finished.
    public var totalBytes: UInt64?
}
