import SystemPackage

/// Verifies a target tree against a manifest, byte for byte, in constant memory.
///
/// The manifest's entries and a walk of the target come in the same order (``TreeOrder``), so
/// one pass merge-joins them: an entry only in the manifest is `missing`, one only in the target
/// `extra`, and an entry in both is compared (type, symlink target, metadata) and, for a regular
/// file, proven by `ContentCheck` on a pool of worker threads. Findings reach the handler in
/// path order (a file that became a directory, or the reverse, is one `type` finding, reported
/// where the pair is recognised). Verification never writes to the target, never follows a
/// symlink, never opens anything but regular files, and asks the kernel not to update access
/// times.
///
/// ```swift
/// let report = try Verifier.verify(manifest: "finance.manifest.gz", target: "/mnt/backup/finance") { finding in
///     print(finding.kind, finding.displayPath)
/// }
/// print(report.verified ? "VERIFIED" : "NOT VERIFIED")
/// ```
public enum Verifier {
    /// Verifies `target` against the manifest at `manifest`.
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path (plain or gzip).
    ///   - target: the directory to verify.
    ///   - options: what counts, exclusions, threads.
    ///   - progress: called from the calling thread after batches of entries with the files and
    ///     bytes proven so far.
    ///   - finding: receives every finding, in path order, as soon as it is known.
    /// - Returns: the totals: what was expected, what was proven intact, findings per kind.
    /// - Throws: ``SnapCheckError`` when the manifest is unreadable or invalid (anywhere in it:
    ///   a corrupt manifest is refused, even after some findings were delivered) or the target is
    ///   missing or not a directory.
    public static func verify(
        manifest: FilePath, target: FilePath, options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        try verify(manifest: manifest, target: target, options: options, proven: nil, finding: finding, progress: progress).report
    }

    /// Verifies `target` against a manifest read from `reader` (one opened on a descriptor,
    /// such as standard input, say), as `verify(manifest:target:options:finding:progress:)`
    /// does. The reader is used up: it belongs to the verification from here on.
    ///
    /// - Parameters:
    ///   - reader: the manifest, its header read.
    ///   - target: the directory to verify.
    ///   - options: what counts, exclusions, threads, a pinned snapshot id.
    ///   - finding: receives every finding, in path order.
    ///   - progress: called with how far the check has come (no totals: the manifest is read
    ///     once).
    /// - Throws: ``SnapCheckError`` as `verify(manifest:target:options:finding:progress:)`;
    ///   ``SnapCheckError/Code/unexpectedSnapshot`` when `options` pins a snapshot id and the
    ///   manifest has another.
    public static func verify(
        reading reader: sending ManifestReader, target: FilePath, options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        try verify(reading: reader, target: target, options: options, totals: { nil }, proven: nil, finding: finding, progress: progress).report
    }

    /// Verifies `target` against expected entries held in memory (made by a program, or kept
    /// from an earlier read), as `verify(manifest:target:options:finding:progress:)` does.
    ///
    /// - Parameters:
    ///   - entries: the expected entries, in ``TreeOrder``, each path once.
    ///   - parameters: the chunking the entries' chunks were made with.
    ///   - target: the directory to verify.
    ///   - options: what counts, exclusions, threads.
    ///   - finding: receives every finding, in path order.
    ///   - progress: called with how far the check has come, totals included.
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` when the entries are out of order or
    ///   repeat a path; otherwise as `verify(manifest:target:options:finding:progress:)`.
    public static func verify(
        entries: [TreeEntry], parameters: ChunkingParameters, target: FilePath, options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        for index in entries.indices.dropFirst() {
            let (before, entry) = (entries[index - 1], entries[index])
            guard TreeOrder.compare(before.path, isDirectory: before.kind == .directory, entry.path, isDirectory: entry.kind == .directory) < 0 else {
                throw SnapCheckError(.invalidArgument, "expected entries out of tree order or repeated at \(entry.displayPath)")
            }
        }
        let walker = try TreeWalker(root: target, options: options.walk)
        let files = entries.lazy.filter { $0.kind == .file }
        let totals = (files.count, files.reduce(UInt64(0)) { $0.saturatingAdd($1.size) })
        var position = entries.startIndex
        return try verify(
            expected: { () -> TreeEntry? in
                guard position < entries.endIndex else { return nil }
                defer { position += 1 }
                return entries[position]
            },
            parameters: parameters, target: walker, options: options, totals: { totals }, progress: progress, finding: finding)
    }

    /// `verify(manifest:target:options:finding:progress:)`, handing each intact file's
    /// chunks to `proven`; also returns the manifest's chunking.
    static func verify(
        manifest: FilePath, target: FilePath, options: VerifyOptions, proven: ((TreeEntry, VerifyItem.ProvenChunks) -> Void)?,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> (report: VerificationReport, parameters: ChunkingParameters) {
        let reader = try ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot)
        let totals = progress != nil && options.countsTotals ? BackgroundTotals.reading(manifest) : nil
        defer { totals?.stop() }
        return try verify(
            reading: reader, target: target, options: options, totals: { totals?.result }, proven: proven, finding: finding,
            progress: progress)
    }

    /// `verify(reading:target:options:finding:progress:)`, handing each intact file's chunks
    /// to `proven`; also returns the manifest's chunking.
    static func verify(
        reading reader: sending ManifestReader, target: FilePath, options: VerifyOptions,
        totals: () -> BackgroundTotals.Totals?, proven: ((TreeEntry, VerifyItem.ProvenChunks) -> Void)?,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> (report: VerificationReport, parameters: ChunkingParameters) {
        let parameters = reader.parameters
        // Fail on a bad target before reading further.
        let walker = try TreeWalker(root: target, options: options.walk)
        // Parsing runs ahead on a thread of its own while this one walks the target; the
        // reader belongs to that thread from here on, and hands back the id it checked.
        let entries = ReadAhead<TreeEntry, Digest?>(weight: { $0.heldBytes }) { (emit) throws(SnapCheckError) in
            while let entry = try reader.next() {
                do { try emit(entry) } catch { return nil }
            }
            return reader.summary?.snapshotID
        }
        var report = try verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in try entries.next() }, parameters: parameters,
            target: walker, options: options, totals: totals, proven: proven, progress: progress, finding: finding)
        report.snapshotID = entries.outcome ?? nil
        if let expected = options.expectedSnapshot, let found = report.snapshotID, found != expected {
            throw SnapCheckError(.unexpectedSnapshot, "snapshot \(found) is not the expected \(expected)")
        }
        return (report, parameters)
    }

    /// Verifies `target` against a stream of expected entries in tree order.
    static func verify(
        expected nextExpected: () throws(SnapCheckError) -> TreeEntry?, parameters: ChunkingParameters,
        target walker: TreeWalker, options: VerifyOptions, totals: () -> BackgroundTotals.Totals? = { nil },
        sample: ((TreeEntry, _ owned: Bool) -> [Int])? = nil, proven: ((TreeEntry, VerifyItem.ProvenChunks) -> Void)? = nil,
        scope: ShardScope? = nil, part: (ShardPart) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)?, finding handler: (Finding) -> Void
    ) throws(SnapCheckError) -> VerificationReport {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            try verify(
                reserved: nextExpected, parameters: parameters, target: walker, options: options, totals: totals, sample: sample,
                proven: proven, scope: scope, part: part, progress: progress, finding: handler)
        }
    }

    /// ``verify(expected:parameters:target:options:totals:sample:proven:scope:part:progress:finding:)``
    /// once the threads are reserved. With a `scope`, only that shard's steps are checked
    /// (see ``ShardRange``), and the shard's parts of files the cut passes through go to `part`.
    private static func verify(
        reserved nextExpected: () throws(SnapCheckError) -> TreeEntry?, parameters: ChunkingParameters,
        target walker: TreeWalker, options: VerifyOptions, totals: () -> BackgroundTotals.Totals?,
        sample: ((TreeEntry, _ owned: Bool) -> [Int])?, proven: ((TreeEntry, VerifyItem.ProvenChunks) -> Void)?,
        scope: ShardScope?, part: (ShardPart) -> Void,
        progress: ((VerificationProgress) -> Void)?, finding handler: (Finding) -> Void
    ) throws(SnapCheckError) -> VerificationReport {
        if let scope, scope.range.isEmpty { return VerificationReport() }
        var settings = options
        settings.recordsProofs = proven != nil
        let options = settings
        let monitor = ReadMonitor(cancellation: options.cancellation)
        // On slow storage, reads ahead of the workers (started only when reads are seen to wait).
        let prefetcher = Prefetcher(monitor: monitor)
        defer { prefetcher.shutDown() }
        let pool = OrderedWorkPool<[VerifyItem], [VerifyItem.Outcome]>(
            threadCount: options.threads, window: options.threads * 4
        ) {
            let check = ContentCheck(parameters: parameters, monitor: monitor, prefetcher: prefetcher)
            return { batch in batch.map { $0.evaluate(check, options) } }
        }
        defer { pool.shutDown() }

        var report = VerificationReport()
        var directories = options.directoryDepth.map { DirectoryTally(depth: $0) }
        var state = VerificationProgress()
        // The owner looks up at least every 10 ms while it waits for the workers: for progress,
        // and to start reading ahead as soon as the storage is seen to be slow.
        pool.heartbeatInterval = min(options.progressInterval.nanoseconds, 10_000_000)
        // What the run waits on, for reports; made a FilePath only for a report.
        var inFlight = InFlightPaths(tracking: progress != nil)
        func reportProgress() {
            guard let progress else { return }
            state.findings = report.counted + report.warnings
            state.readBytes = monitor.bytesRead
            (state.expectedFiles, state.expectedBytes) = totals().map { ($0.files, $0.bytes) } ?? (nil, nil)
            state.currentPath = inFlight.oldest.map { FilePath(bytes: $0) }
            progress(state)
        }
        func deliver(_ outcomes: [VerifyItem.Outcome]) {
            inFlight.delivered()
            for outcome in outcomes {
                // A part first: the content verdict it stands for comes before the metadata.
                if let record = outcome.shardPart { part(record) }
                for finding in outcome.findings {
                    report.add(finding)
                    directories?.add(finding)
                    handler(finding)
                }
                if let proven, let record = outcome.proven { proven(record.entry, record.chunks) }
                if let intact = outcome.intactBytes {
                    if let path = outcome.intactPath { directories?.intact(path, size: intact) }
                    report.intactFiles += 1
                    report.intactBytes = report.intactBytes.saturatingAdd(intact)
                }
                state.checkedFiles += outcome.checkedFile ? 1 : 0
                state.checkedBytes = state.checkedBytes.saturatingAdd(outcome.checkedBytes)
            }
            reportProgress()
        }
        var batcher = JobBatcher<VerifyItem>(jobsInFlight: pool.window)
        // Whether the step under way is this shard's (always, without a shard): another
        // shard's steps are followed, for the state they leave, but not checked.
        var owning = true
        func submit(_ item: VerifyItem) {
            guard owning else { return }
            if options.threads > 1, case .matched(let expected, let walked, nil) = item,
               expected.kind == .file, walked.entry.kind == .file, expected.status != .unreadable, walked.problem == nil,
               let split = SplitFile(expected, walked) {
                for part in split.parts.indices { enqueue(.part(split, part)) }
                return
            }
            enqueue(item)
        }
        func enqueue(_ item: VerifyItem) {
            for job in batcher.add(item, weight: item.expectedFileBytes, directory: item.directory) { send(job) }
        }
        var backlog = Prefetcher.Backlog<[VerifyItem]>(
            jobs: pool.window, for: prefetcher, whenSlow: { options.readsAheadAlways || monitor.storageIsSlow }
        ) { $0.flatMap(\.reads) }
        func waiting() {
            backlog.offerWaiting(started: pool.jobCounts.started)
            reportProgress()
        }
        func send(_ job: [VerifyItem]) {
            backlog.submit(job, counts: pool.jobCounts)
            inFlight.submitted(job[job.count - 1].path)
            pool.submit(job, delivering: deliver, waiting: waiting)
        }

        var pairing = TypeChangePairing()
        // The last target directory that could not be listed (with a trailing '/').
        var unlistable: [UInt8]?
        // A shard reads both sides from a little before its start (the directories on the way
        // there included), so that it meets its first steps in the state a single run would.
        var lookback = scope?.range.lookback(target: walker.hasNonDirectory)
        if let lookback { walker.skip(before: lookback.path, isDirectory: lookback.isDirectory) }
        let walk = WalkAhead(walker)
        func nextExpectedInScope() throws(SnapCheckError) -> TreeEntry? {
            while let entry = try nextExpected() {
                guard let from = lookback else { return entry }
                if from <= ShardPoint(entry) {
                    lookback = nil
                    return entry
                }
                if entry.kind == .directory && TreeOrder.isAncestor(entry.path, of: from.path) { return entry }
            }
            return nil
        }
        var expected = try nextExpectedInScope()
        var actual = walk.next().map(TargetEntry.init(walked:))
        // For a spot-check: the chunks of the current expected file chosen for reading.
        var chosen: [Int]?
        func countExpected(_ entry: TreeEntry) {
            // A spot-check's plan draws for every entry read; a shard counts only its own.
            let owned = scope?.range.owns(ShardPoint(entry)) ?? true
            chosen = sample?(entry, owned)
            guard owned else { return }
            directories?.expect(entry)
            report.expectedEntries += 1
            if entry.kind == .file {
                report.expectedFiles += 1
                report.expectedBytes = report.expectedBytes.saturatingAdd(entry.size)
            }
        }
        if let expected { countExpected(expected) }
        let cancellation = options.cancellation
        merge: while expected != nil || actual != nil {
            if let cancellation, cancellation.isCancelled { throw SnapCheckError.cancelled }
            let order: Int
            switch (expected, actual) {
            case (let e?, let a?):
                order = TreeOrder.compare(e.path, isDirectory: e.kind == .directory, a.entry.path, isDirectory: a.entry.kind == .directory)
            case (nil, _): order = 1
            case (_, nil): order = -1
            }
            if let scope, let step = order <= 0 ? expected.map(ShardPoint.init) : actual.map({ ShardPoint($0.entry) }) {
                if scope.range.isPast(step) { break merge }
                owning = scope.range.owns(step)
            }
            if order == 0 {
                if actual!.problem != nil && actual!.entry.kind == .directory { unlistable = actual!.entry.path + [0x2F] }
                if sample == nil, let scope, let expected, let actual, let item = Self.shardPart(expected, actual, scope.range) {
                    // The shard cut passes through this file: this shard reads its chunks only,
                    // whichever shard holds the step (a spot-check's sample of a file is read
                    // whole by the shard holding it).
                    enqueue(item)
                } else {
                    submit(.matched(expected!, actual!, sample: chosen))
                }
            } else if order < 0 {
                if let unlistable, expected!.path.starts(with: unlistable) {
                    // Not missing: the directory that should hold it cannot be listed.
                    submit(.hidden(expected!))
                } else {
                    for item in pairing.unmatched(.expected(expected!)) { submit(item) }
                }
            } else {
                for item in pairing.unmatched(.actual(actual!)) { submit(item) }
            }
            if order <= 0 {
                expected = try nextExpectedInScope()
                if let expected { countExpected(expected) }
            }
            if order >= 0 { actual = walk.next().map(TargetEntry.init(walked:)) }
            // What waited and is released now belongs to this step.
            for item in pairing.passed(expected: expected, actual: actual?.entry) { submit(item) }
        }
        if let job = batcher.finish() { send(job) }
        pool.drain(delivering: deliver, waiting: waiting)
        // Files cut short by a cancellation look unreadable to the workers: say cancelled.
        try options.cancellation?.check()
        report.directories = directories?.directories ?? []
        return report
    }
}

extension Verifier {
    /// For a file present in both that the shard cut passes through, the item reading this
    /// shard's chunks of it; nil for anything else (checked whole by the shard holding it).
    static func shardPart(_ expected: TreeEntry, _ actual: TargetEntry, _ scope: ShardRange) -> VerifyItem? {
        guard expected.kind == .file, actual.entry.kind == .file, expected.status != .unreadable, actual.problem == nil else { return nil }
        let chunks = scope.chunks(of: expected)
        guard chunks != expected.chunks.indices, !chunks.isEmpty else { return nil }
        return .shardPart(expected, actual, chunks, head: chunks.lowerBound == 0)
    }

}

/// How far a verification has come, for progress displays.
public struct VerificationProgress: Sendable, Hashable, Codable {
    /// Regular files checked so far.
    public var checkedFiles = 0
    /// Bytes of regular files checked so far (the manifest's sizes, whole files).
    public var checkedBytes: UInt64 = 0
    /// Bytes read from the target so far, including files still being read: it moves steadily
    /// even inside one large file. Compare it with ``expectedBytes`` for a progress bar (a
    /// spot-check reads only its sample; a damaged file is read a little more than once).
    public var readBytes: UInt64 = 0
    /// Regular files the manifest holds, once known (see ``VerifyOptions/countsTotals``).
    public var expectedFiles: Int?
    /// Their bytes, once known.
    public var expectedBytes: UInt64?
    /// The entry the check has reached (relative to the target), if any yet.
    public var currentPath: FilePath?
    /// Findings so far (counting and warnings).
    public var findings = 0
}

extension Verifier {
    /// Verifies `target` against `source` directly, without a stored manifest: the source is
    /// recorded on the fly (walked and hashed on threads of its own, streamed, never written)
    /// and the target verified against it as `verify(manifest:target:options:finding:progress:)`
    /// would.
    ///
    /// - Parameters:
    ///   - source: the tree the backup was made from.
    ///   - target: the tree to verify.
    ///   - options: what counts, exclusions, threads.
    ///   - chunking: the chunking used to record the source.
    ///   - finding: receives every finding, in path order.
    ///   - progress: called after batches of entries.
    ///   - sourceProblem: called on the calling thread, in path order, for each source entry
    ///     that could not be read; such entries are reported as `unreadable` findings too.
    /// - Throws: ``SnapCheckError`` when either tree cannot be walked.
    public static func compare(
        source: FilePath, target: FilePath, options: VerifyOptions = VerifyOptions(),
        chunking: ChunkingParameters = .default,
        finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil,
        sourceProblem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> VerificationReport {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            try compare(
                reserved: source, target: target, options: options, chunking: chunking, finding: finding, progress: progress,
                sourceProblem: sourceProblem)
        }
    }

    /// ``compare(source:target:options:chunking:finding:progress:sourceProblem:)`` once the
    /// threads are reserved: the recording of the source and the verification share them.
    private static func compare(
        reserved source: FilePath, target: FilePath, options: VerifyOptions, chunking: ChunkingParameters,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?, sourceProblem: (SnapCheckError) -> Void
    ) throws(SnapCheckError) -> VerificationReport {
        // A bad target fails here; a bad source at the first entry, before the target is read.
        let walker = try TreeWalker(root: target, options: options.walk)
        let totals = progress != nil && options.countsTotals ? BackgroundTotals.walking(source, options: options.walk) : nil
        defer { totals?.stop() }
        let entries = recording(source, options: options, chunking: chunking)
        return try verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in try nextRecorded(entries, sourceProblem) },
            parameters: chunking, target: walker, options: options, totals: { totals?.result }, progress: progress, finding: finding)
    }

    /// The entries of `source`, recorded on threads of their own, ahead of the comparison, each
    /// with the problem met recording it (if any). With a `range`, only its entries are
    /// recorded, and the others from `examinedFrom` on are examined, unread (a shard of a
    /// comparison).
    static func recording(
        _ source: FilePath, options: VerifyOptions, chunking: ChunkingParameters, range: ShardRange? = nil,
        examinedFrom: ShardPoint? = nil
    ) -> ReadAhead<(TreeEntry, SnapCheckError?), Void> {
        var snapshot = SnapshotOptions(chunking: chunking, walk: options.walk, threads: options.threads)
        snapshot.cancellation = options.cancellation
        let entries = ReadAhead<(TreeEntry, SnapCheckError?), Void>(weight: { $0.0.heldBytes }) { (emit) throws(SnapCheckError) in
            var problem: SnapCheckError?
            try snapshot.withReservedThreads { (snapshot) throws(SnapCheckError) in
                try SnapshotBuilder.build(
                    reserved: source, options: snapshot, previous: nil, recordsStates: false, range: range, examinedFrom: examinedFrom,
                    progress: nil, problem: { problem = $0 }
                ) { (recorded, _) throws(SnapCheckError) in
                    defer { problem = nil }
                    try emit((recorded.entry, problem))
                }
            }
        }
        return entries
    }

    /// The next recorded source entry; a problem met recording it goes to `sourceProblem`, on
    /// the calling thread, beside the entry.
    static func nextRecorded(
        _ entries: ReadAhead<(TreeEntry, SnapCheckError?), Void>, _ sourceProblem: (SnapCheckError) -> Void
    ) throws(SnapCheckError) -> TreeEntry? {
        guard let (entry, problem) = try entries.next() else { return nil }
        if let problem { sourceProblem(problem) }
        return entry
    }
}
