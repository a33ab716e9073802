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
        let reader = try ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot)
        let summary = try reader.identityAndTotals()
        var plan = SamplePlan(seed: seed, total: UInt64(summary.chunks), sample: UInt64(min(sample.chunks(of: summary), summary.chunks)))
        var sampledChunks = 0
        var sampledBytes: UInt64 = 0
        var matched = 0
        // The plan draws for every chunk in manifest order, this shard's or not, as one run
        // would: for the entries passed over as they are counted, for the others as the
        // verification reads them; it asks for the chunks of the entry it read last, and only
        // its own entries count.
        var (range, report) = try Verifier.verify(
            manifest: manifest, parameters: reader.parameters, target: target, planner: ShardRange.Planner(totals: summary, shard: shard),
            snapshotID: summary.snapshotID, options: options,
            sample: { entry, owned in
                let chosen = plan.choose(entry.chunks.count)
                guard owned else { return chosen }
                sampledChunks += chosen.count
                for index in chosen { sampledBytes += UInt64(entry.chunks[index].length) }
                return chosen
            },
            proven: { entry, chunks in matched += chunks.count(of: entry) },
            chunksPassed: { _ = plan.choose($0) }, finding: finding, part: { _ in }, progress: progress)
        report.snapshotID = summary.snapshotID
        report.sampled = true
        report.complete = false
        let result = Result(
            report: report, seed: seed, totalChunks: summary.chunks, sampledChunks: sampledChunks, sampledBytes: sampledBytes,
            matchedChunks: matched)
        return (range, result)
    }
}
