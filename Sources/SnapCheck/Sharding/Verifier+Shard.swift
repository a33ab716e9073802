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
        return (range, report)
    }
}
