import SystemPackage

extension Verifier {
    /// Verifies one shard of `target` against the manifest at `manifest`: the steps in the
    /// shard's range (see ``ShardRange``), as `verify(manifest:target:options:finding:progress:)`
    /// checks them all. Run every shard of N (on as many machines) and give their reports to
    /// ``ShardMerge`` for the verdict of the whole backup.
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path (plain or gzip); it is read three times (the cut is
    ///     worked out from it first).
    ///   - target: the directory to verify.
    ///   - shard: which shard.
    ///   - options: what counts, exclusions, threads, a pinned snapshot id.
    ///   - finding: receives every finding of the range, in order.
    ///   - part: receives, in order with the findings, the shard's parts of the files the cut
    ///     passes through.
    ///   - progress: called with how far the check has come (no totals).
    /// - Returns: the range and the shard's totals (parts aside: a damaged part is not in them).
    /// - Throws: as `verify(manifest:target:options:finding:progress:)`.
    public static func verify(
        manifest: FilePath, target: FilePath, shard: Shard, options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in }, part: (ShardPart) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> (range: ShardRange, report: VerificationReport) {
        let range = try ShardRange.plan(manifest: manifest, shard: shard, expectedSnapshot: options.expectedSnapshot)
        return (range, try verify(manifest: manifest, target: target, range: range, options: options, finding: finding, part: part, progress: progress))
    }

    /// Verifies the steps of `range` (planned from `manifest`).
    static func verify(
        manifest: FilePath, target: FilePath, range: ShardRange, options: VerifyOptions,
        finding: (Finding) -> Void, part: (ShardPart) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> VerificationReport {
        let reader = try ManifestReader(path: manifest)
        let parameters = reader.parameters
        let walker = try TreeWalker(root: target, options: options.walk)
        // Parsing runs ahead on a thread of its own; it stops when the shard's range ends.
        let entries = ReadAhead<TreeEntry, Void> { (emit) throws(SnapCheckError) in
            while let entry = try reader.next() {
                do { try emit(entry) } catch { return }
            }
        }
        var report = try verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in try entries.next() }, parameters: parameters,
            target: walker, options: options, scope: range, part: part, progress: progress, finding: finding)
        report.snapshotID = range.snapshotID
        return report
    }
}

extension Verifier {
    /// Compares one shard of `target` with `source` (see ``ShardRange``), as
    /// `compare(source:target:options:chunking:finding:progress:sourceProblem:)` compares them
    /// whole: the shard records the source's entries in its range on the fly and verifies the
    /// target's against them. The cuts come from a walk of the source that examines its
    /// entries without reading them; no file is cut. Merge the shards' reports with
    /// ``ShardMerge``.
    ///
    /// - Parameters:
    ///   - source: the tree the backup was made from.
    ///   - target: the tree to verify.
    ///   - shard: which shard.
    ///   - options: what counts, exclusions, threads.
    ///   - chunking: the chunking used to record the source.
    ///   - finding: receives every finding of the range, in order.
    ///   - progress: called with how far the check has come.
    ///   - sourceProblem: called for each source entry of the range that could not be read.
    /// - Returns: the range and the shard's totals.
    /// - Throws: ``SnapCheckError`` when either tree cannot be walked.
    public static func compare(
        source: FilePath, target: FilePath, shard: Shard, options: VerifyOptions = VerifyOptions(),
        chunking: ChunkingParameters = .default, finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil, sourceProblem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> (range: ShardRange, report: VerificationReport) {
        let range = try ShardRange.plan(walking: source, options: options.walk, shard: shard)
        let report = try options.withReservedThreads { (options) throws(SnapCheckError) in
            let walker = try TreeWalker(root: target, options: options.walk)
            // The source is followed from where the verification will start reading (a little
            // before the range), examined but not read until the range begins.
            let lookback = range.lookback(target: walker.hasNonDirectory)
            var snapshot = SnapshotOptions(chunking: chunking, walk: options.walk, threads: options.threads)
            snapshot.cancellation = options.cancellation
            let entries = ReadAhead<(TreeEntry, SnapCheckError?), Void> { (emit) throws(SnapCheckError) in
                var problem: SnapCheckError?
                try SnapshotBuilder.build(
                    reserved: source, options: snapshot, previous: nil, recordsStates: false, range: range, examinedFrom: lookback,
                    progress: nil, problem: { problem = $0 }
                ) { (entry, _) throws(SnapCheckError) in
                    defer { problem = nil }
                    try emit((entry, problem))
                }
            }
            return try verify(
                expected: { () throws(SnapCheckError) -> TreeEntry? in
                    guard let (entry, problem) = try entries.next() else { return nil }
                    if let problem { sourceProblem(problem) }
                    return entry
                },
                parameters: chunking, target: walker, options: options, scope: range, progress: progress, finding: finding)
        }
        return (range, report)
    }
}
