import SystemPackage

extension SpotCheck {
    /// Spot-checks one shard of `target` (see ``ShardRange``): every entry of the shard's
    /// range is examined and the chunks of the one sample that a single run with the same
    /// `seed` would draw are read where they fall in the range, so the shards' reports merge
    /// (``ShardMerge``) into exactly that run's report. Every shard must be given the same
    /// seed.
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path.
    ///   - target: the directory to check.
    ///   - shard: which shard.
    ///   - sample: how much to read, of the whole manifest.
    ///   - seed: the sample's seed, the same for every shard.
    ///   - options: what counts, exclusions, threads, a pinned snapshot id.
    ///   - finding: receives every finding of the range, in order.
    ///   - progress: called with how far the check has come.
    /// - Returns: the range, and the shard's result: its report, and its share of the
    ///   sample (``Result/totalChunks`` is the whole manifest's).
    /// - Throws: as `run(manifest:target:sample:seed:options:rolling:finding:progress:)`.
    public static func run(
        manifest: FilePath, target: FilePath, shard: Shard, sample: Sample = .fraction(0.01), seed: UInt64,
        options: VerifyOptions = VerifyOptions(), finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> (range: ShardRange, result: Result) {
        try check(sample)
        let range = try ShardRange.plan(manifest: manifest, shard: shard, expectedSnapshot: options.expectedSnapshot)
        let first = try ManifestReader(path: manifest, expectedSnapshot: range.snapshotID)
        let summary = try first.validate()
        var plan = SamplePlan(seed: seed, total: UInt64(summary.chunks), sample: UInt64(min(sample.chunks(of: summary), summary.chunks)))
        var sampledChunks = 0
        var sampledBytes: UInt64 = 0
        var matched = 0
        // The plan draws for every entry in manifest order, this shard's or not, as one run
        // would; the verification asks for the chunks of the entry it read last.
        var chosen: [Int] = []
        let reader = try ManifestReader(path: manifest, expectedSnapshot: summary.snapshotID)
        let walker = try TreeWalker(root: target, options: options.walk)
        var report = try Verifier.verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in
                guard let entry = try reader.next() else { return nil }
                chosen = plan.choose(entry.chunks.count)
                if range.owns(ShardPoint(entry)) {
                    sampledChunks += chosen.count
                    for index in chosen { sampledBytes += UInt64(entry.chunks[index].length) }
                }
                return entry
            },
            parameters: reader.parameters, target: walker, options: options,
            sample: { _ in chosen }, proven: { entry, chunks in matched += chunks.count(of: entry) },
            scope: range, progress: progress, finding: finding)
        report.snapshotID = summary.snapshotID
        report.sampled = true
        report.complete = false
        let result = Result(
            report: report, seed: seed, totalChunks: summary.chunks, sampledChunks: sampledChunks, sampledBytes: sampledBytes,
            matchedChunks: matched)
        return (range, result)
    }
}
