import SystemPackage


/// Records a directory tree: walks it, reads and hashes every regular file on a pool of worker
/// threads, and delivers the entries in manifest order.
///
/// The walk runs on the calling thread while the workers hash; small files travel to the
/// workers in batches (`JobBatcher`), and results come back in order through a bounded
/// window. Memory is the workers' buffers (2 × max chunk + 4 MiB each) plus the window,
/// whatever the size of the tree or of its files.
///
/// ```swift
/// let writer = try ManifestWriter(path: "home.manifest", parameters: .default, source: "/home")
/// try SnapshotBuilder.build(root: "/home") { entry in try writer.append(entry) }
/// let summary = try writer.finish()
/// ```
public enum SnapshotBuilder {
    /// Walks and hashes the tree at `root`, calling `body` with every entry in manifest order.
    ///
    /// - Parameters:
    ///   - root: the directory to record.
    ///   - options: chunking, exclusions, threads.
    ///   - progress: called from the calling thread after batches of entries; when given, a
    ///     second, stat-only walk counts the tree in the background so that totals (and an
    ///     ETA) become known.
    ///   - problem: called for each entry that could not be read completely (recorded as
    ///     unreadable or changed); the run goes on.
    ///   - body: receives each entry; an error it throws stops the run and is rethrown.
    /// - Throws: ``SnapCheckError`` when the root cannot be walked, when cancelled, or what
    ///   `body` throws.
    public static func build(
        root: FilePath,
        options: SnapshotOptions = SnapshotOptions(),
        progress: ((SnapshotProgress) -> Void)? = nil,
        problem: (SnapCheckError) -> Void = { _ in },
        body: (TreeEntry) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            try build(reserved: root, options: options, previous: nil, recordsStates: false, progress: progress, problem: problem) {
                (recorded, _) throws(SnapCheckError) in try body(recorded.entry)
            }
        }
    }

    /// `build(root:options:progress:problem:body:)` once the threads are reserved; files that
    /// `previous` shows unchanged keep their chunks without being read. With `recordsStates`,
    /// `body` also receives each regular file's ``FileState`` (``FileState/none`` when it was
    /// not read whole); nil otherwise. With a `range`, only the entries in it are recorded (one
    /// part of a manifest recorded in shards); with `examinedFrom` as well, the entries from
    /// there on (and the directories on the way) come, those outside the range examined but
    /// not read (for a sharded `compare`, which follows them without checking them). With
    /// `keepsChunksCompact`, a file's chunks come in ``RecordedEntry/chunkList``, for a run
    /// that writes them to a manifest (they take a quarter less memory there).
    static func build(
        reserved root: FilePath, options: SnapshotOptions, previous: PreviousManifest?, recordsStates: Bool,
        keepsChunksCompact: Bool = false, range: ShardRange? = nil, examinedFrom: ShardPoint? = nil, progress: ((SnapshotProgress) -> Void)?,
        problem: (SnapCheckError) -> Void, body: (RecordedEntry, FileState?) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) {
        let walker = try TreeWalker(root: root, options: options.walk)
        if let start = examinedFrom ?? range?.start { walker.skip(before: start.path, isDirectory: start.isDirectory) }
        let walk = WalkAhead(walker)
        let parameters = options.chunking
        // A large file is cut by one worker and hashed by it and the helpers together, so a
        // single big file uses every core.
        let helpers = options.threads > 1 ? HashHelpers(count: options.threads - 1, workers: options.threads) : nil
        defer { helpers?.shutDown() }
        let monitor = ReadMonitor(cancellation: options.cancellation)
        // On slow storage, reads ahead of the workers (started only when reads are seen to wait).
        let prefetcher = Prefetcher(monitor: monitor)
        defer { prefetcher.shutDown() }
        let pool = OrderedWorkPool<[SnapshotItem], [(RecordedEntry, SnapCheckError?, FileState?)]>(
            threadCount: options.threads, window: options.threads * 4
        ) {
            let hasher = FileHasher(
                chunker: StreamingChunker(parameters: parameters), helpers: helpers, monitor: monitor, prefetcher: prefetcher,
                keepsChunksCompact: keepsChunksCompact)
            return { batch in
                helpers?.workerBegan()
                defer { helpers?.workerEnded() }
                return batch.map { (item: SnapshotItem) -> (RecordedEntry, SnapCheckError?, FileState?) in
                    let walked = item.walked
                    var (recorded, failure) = (RecordedEntry(walked.entry), walked.problem)
                    if let reused = item.reused {
                        (recorded, failure) = (reused, nil)
                    } else if walked.entry.kind == .file && walked.problem == nil {
                        (recorded, failure) = hasher.record(walked)
                    }
                    let entry = recorded.entry
                    let fileState = recordsStates && entry.kind == .file ? FileState(recorded: entry, walked: walked) : nil
                    return (recorded, failure, fileState)
                }
            }
        }
        defer { pool.shutDown() }
        let totals = progress == nil || !options.countsTotals ? nil : BackgroundTotals.walking(root, options: options.walk)
        defer { totals?.stop() }
        // The owner looks up at least every 10 ms while it waits for the workers: for progress,
        // and to start reading ahead as soon as the storage is seen to be slow.
        pool.heartbeatInterval = min(options.progressInterval.nanoseconds, 10_000_000)

        var state = SnapshotProgress(entries: 0, files: 0, bytes: 0)
        // What the run waits on, for reports; made a FilePath only for a report.
        var inFlight = InFlightPaths(tracking: progress != nil)
        func report() {
            guard let progress else { return }
            if let totals { (state.totalFiles, state.totalBytes) = totals.result.map { ($0.files, $0.bytes) } ?? (nil, nil) }
            state.readBytes = monitor.bytesRead
            state.currentPath = inFlight.oldest.map { FilePath(bytes: $0) }
            progress(state)
        }
        func deliver(_ results: [(RecordedEntry, SnapCheckError?, FileState?)]) throws(SnapCheckError) {
            // Cancelled: what the workers cut short is not reported as unreadable.
            try options.cancellation?.check()
            inFlight.delivered()
            for (recorded, failure, fileState) in results {
                if let failure { problem(failure) }
                try body(recorded, fileState)
                let entry = recorded.entry
                state.entries += 1
                if entry.kind == .file {
                    state.files += 1
                    state.bytes = state.bytes.saturatingAdd(entry.size)
                }
            }
            report()
        }
        // A file's first 16 MiB: the kernel reads on ahead of a sequential read.
        var backlog = Prefetcher.Backlog<[SnapshotItem]>(
            jobs: pool.window, for: prefetcher, whenSlow: { options.readsAheadAlways || monitor.storageIsSlow }
        ) { job in
            job.filter { $0.reused == nil && $0.walked.entry.kind == .file && $0.walked.problem == nil }.map {
                Prefetcher.Request(
                    location: .file(name: $0.walked.name, directory: $0.walked.directory), offset: 0, length: min($0.walked.entry.size, 16 << 20))
            }
        }
        func waiting() {
            backlog.offerWaiting(started: pool.jobCounts.started)
            report()
        }
        func send(_ job: [SnapshotItem]) throws(SnapCheckError) {
            backlog.submit(job, counts: pool.jobCounts)
            inFlight.submitted(job[job.count - 1].walked.entry.path)
            try pool.submit(job, delivering: deliver, waiting: waiting)
        }
        var batcher = JobBatcher<SnapshotItem>(jobsInFlight: pool.window)
        while let walked = walk.next() {
            try options.cancellation?.check()
            // Outside a range, an entry is left out (a manifest part), or handed on as examined,
            // unread (a sharded compare, which follows the entries around its range): the walk
            // then goes on past the range's end until the comparison stops asking.
            var examinedOnly = false
            if let range, !range.owns(ShardPoint(walked.entry)) {
                guard examinedFrom != nil else {
                    if range.isPast(ShardPoint(walked.entry)) { break }
                    continue
                }
                examinedOnly = true
            }
            let reused = examinedOnly ? RecordedEntry(walked.entry) : try previous?.reusable(walked)
            // An entry with nothing to read (not a regular file, or one taken from the previous
            // manifest) needs no worker: while none is busy and nothing waits, it goes straight
            // out, in order, without a hand-over.
            let needsReading = walked.entry.kind == .file && walked.problem == nil && reused == nil
            if !needsReading, batcher.isEmpty, pool.isIdle {
                let recorded = reused ?? RecordedEntry(walked.entry)
                let fileState = recordsStates && walked.entry.kind == .file ? FileState(recorded: recorded.entry, walked: walked) : nil
                try deliver([(recorded, walked.problem, fileState)])
                continue
            }
            // What a job holds: the bytes to read, or the chunk lines taken over.
            let weight = needsReading ? walked.entry.size : UInt64(reused?.heldBytes ?? 0)
            for job in batcher.add(SnapshotItem(walked: walked, reused: reused), weight: weight, directory: walked.directory) {
                try send(job)
            }
        }
        if let job = batcher.finish() { try send(job) }
        try pool.drain(delivering: deliver, waiting: waiting)
        // Files cut short by a cancellation look unreadable to the workers: say cancelled.
        try options.cancellation?.check()
    }
}

/// One entry of the walk on its way to a worker: read there, or already known from a previous
/// manifest.
struct SnapshotItem: Sendable {
    var walked: WalkedEntry
    /// The entry taken over from the previous manifest, when the file did not change.
    var reused: RecordedEntry?
}

extension SnapshotBuilder {
    /// ``build(root:options:progress:problem:body:)`` for a body that throws errors of its own
    /// type: an error it throws stops the run and is rethrown as it was. (Swift infers a
    /// closure such as `{ try writer.append($0) }` as throwing `any Error`; this overload takes
    /// it as it is.)
    ///
    /// - Throws: ``SnapCheckError`` from the run, or what `body` throws.
    public static func build(
        root: FilePath,
        options: SnapshotOptions = SnapshotOptions(),
        progress: ((SnapshotProgress) -> Void)? = nil,
        problem: (SnapCheckError) -> Void = { _ in },
        body: (TreeEntry) throws -> Void
    ) throws {
        var bodyFailure: (any Error)?
        do {
            try build(root: root, options: options, progress: progress, problem: problem) { (entry) throws(SnapCheckError) in
                do {
                    try body(entry)
                } catch {
                    bodyFailure = error
                    throw SnapCheckError(.cancelled, "stopped by the caller's body")
                }
            }
        } catch {
            throw bodyFailure ?? error
        }
    }
}

extension SnapshotBuilder {
    /// Records the tree at `root` in a manifest file (gzip when `path` ends in `.gz`), written
    /// atomically. (For a manifest on a descriptor, give `build(root:options:progress:problem:body:)`
    /// a ``ManifestWriter/init(descriptor:compressed:parameters:source:created:)``.)
    ///
    /// ```swift
    /// let summary = try SnapshotBuilder.writeManifest(of: "/srv/finance", to: "finance.manifest.gz")
    /// print(summary.snapshotID, summary.files, summary.unreadable)
    /// ```
    ///
    /// - Returns: the manifest's totals and snapshot id. Entries that could not be read are
    ///   recorded (see ``ManifestSummary/unreadable``) and passed to `problem`.
    /// - Throws: ``SnapCheckError`` when the root cannot be walked or the manifest not written;
    ///   an existing file at `path` is then left as it was.
    public static func writeManifest(
        of root: FilePath, to path: FilePath, options: SnapshotOptions = SnapshotOptions(),
        progress: ((SnapshotProgress) -> Void)? = nil, problem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> ManifestSummary {
        let writer = try ManifestWriter(path: path, parameters: options.chunking, source: root)
        try record(root: root, into: writer, options: options, progress: progress, problem: problem)
        return try writer.finish()
    }

    /// Records the tree at `root` (only the entries in `range`, when given) into `writer` (not
    /// finished), as ``build(root:options:progress:problem:body:)`` does, each file's chunks
    /// held compactly until its entry is written (a file of a million chunks: 36 MB, not 48);
    /// `chunkDigest` sees the digest of every chunk recorded.
    package static func record(
        root: FilePath, into writer: ManifestWriter, options: SnapshotOptions, range: ShardRange? = nil,
        progress: ((SnapshotProgress) -> Void)?, problem: (SnapCheckError) -> Void, chunkDigest: ((Digest) -> Void)? = nil
    ) throws(SnapCheckError) {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            try build(
                reserved: root, options: options, previous: nil, recordsStates: false, keepsChunksCompact: true, range: range,
                progress: progress, problem: problem
            ) { (recorded, _) throws(SnapCheckError) in
                if let chunkDigest { recorded.chunkList.digests.forEach(chunkDigest) }
                try writer.append(recorded)
            }
        }
    }
}
