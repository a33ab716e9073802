import SystemPackage

extension Verifier {
    /// Verifies one shard of `target` against the manifest at `manifest`: the steps in the
    /// shard's range (see ``ShardRange``), as `verify(manifest:target:options:finding:progress:)`
    /// checks them all. Run every shard of N (on as many machines) and give their reports to
    /// ``ShardMerge`` for the verdict of the whole backup.
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path (plain or gzip); it is read twice: once, without
    ///     parsing its entries, for its id and totals, and once as the shard is checked (the
    ///     cut is found on the way).
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
        let reader = try ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot)
        let totals = try reader.identityAndTotals()
        return try verify(
            manifest: manifest, parameters: reader.parameters, target: target, planner: ShardRange.Planner(totals: totals, shard: shard),
            snapshotID: totals.snapshotID, options: options, chunksPassed: { _ in }, finding: finding, part: part, progress: progress)
    }

    /// Verifies the steps of `range` (cut where it says, in the manifest with id `snapshotID`).
    static func verify(
        manifest: FilePath, target: FilePath, range: ShardRange, snapshotID: Digest, options: VerifyOptions,
        finding: (Finding) -> Void, part: (ShardPart) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> VerificationReport {
        try verify(
            manifest: manifest, parameters: ManifestReader(path: manifest).parameters, target: target,
            planner: ShardRange.Planner(given: range), snapshotID: snapshotID, options: options,
            chunksPassed: { _ in }, finding: finding, part: part, progress: progress).report
    }

    /// Verifies the shard `planner` plans, reading the manifest once; `chunksPassed` hears, in
    /// manifest order with the entries the check reads, of the chunks of the entries it passes
    /// over (a spot-check's sample plan draws for them); `sample` chooses a spot-check's chunks.
    static func verify(
        manifest: FilePath, parameters: ChunkingParameters, target: FilePath, planner: ShardRange.Planner, snapshotID: Digest,
        options: VerifyOptions,
        sample: ((TreeEntry, _ owned: Bool) -> [Int])? = nil, proven: ((TreeEntry, VerifyItem.ProvenChunks) -> Void)? = nil,
        chunksPassed: (Int) -> Void, finding: (Finding) -> Void, part: (ShardPart) -> Void,
        progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> (range: ShardRange, report: VerificationReport) {
        // Fail on a bad target before reading further.
        let walker = try TreeWalker(root: target, options: options.walk)
        let walk = options.walk
        let reading = ShardReading.start(manifest: manifest, planner: planner, snapshotID: snapshotID) {
            TreeWalker.hasNonDirectory(at: $0, root: target, options: walk)
        }
        guard case .started(let range)? = try reading.next() else {
            throw SnapCheckError(.invalidManifest, "the manifest could not be read for the shard", path: manifest)
        }
        let scope = ShardScope(range)
        var bytes: UInt64 = 0
        var report = try verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in
                guard case .entry(let entry, let end, let skipped)? = try reading.next() else { return nil }
                if let end { scope.range.end = end }
                chunksPassed(skipped)
                if entry.kind == .file {
                    bytes += entry.chunks[scope.range.chunks(of: entry)].reduce(0) { $0 + UInt64($1.length) }
                }
                return entry
            },
            parameters: parameters, target: walker, options: options, sample: sample, proven: proven, scope: scope, part: part,
            progress: progress, finding: finding)
        report.snapshotID = snapshotID
        scope.range.bytes = bytes
        return (scope.range, report)
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
            // before the range), examined but not read outside the range.
            let entries = recording(
                source, options: options, chunking: chunking, range: range, examinedFrom: range.lookback(target: walker.hasNonDirectory))
            return try verify(
                expected: { () throws(SnapCheckError) -> TreeEntry? in try nextRecorded(entries, sourceProblem) },
                parameters: chunking, target: walker, options: options, scope: ShardScope(range), progress: progress, finding: finding)
        }
        return (range, report)
    }
}
