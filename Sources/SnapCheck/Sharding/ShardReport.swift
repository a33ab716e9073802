/// What one shard of a verification found, kept for ``ShardMerge``: its totals, and its
/// findings and file parts in the order it reported them.
public struct ShardReport: Sendable, Hashable, Codable {
    /// One thing a shard reported, in order.
    public enum Record: Sendable, Hashable, Codable {
        /// A finding (counted in the shard's ``ShardReport/report``).
        case finding(Finding)
        /// The shard's share of a file the cut passes through (not counted in its report).
        case part(ShardPart)
    }

    /// Which shard.
    public var shard: Shard
    /// The shard's totals: the entries in its range, what it proved and found (parts aside).
    public var report: VerificationReport
    /// Its findings and parts, in the order reported.
    public var records: [Record]
    /// The options that change a result (what counts, exclusions, the sample, …) in a form the
    /// shards can compare: reports made with different settings are not merged.
    public var settings: [String: String]

    /// Creates a shard report.
    public init(shard: Shard, report: VerificationReport, records: [Record], settings: [String: String]) {
        self.shard = shard
        self.report = report
        self.records = records
        self.settings = settings
    }
}
