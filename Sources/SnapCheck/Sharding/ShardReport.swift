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
    /// Where its range starts and where the next one's does (``ShardRange/start``,
    /// ``ShardRange/end``): the merge checks that the ranges meet.
    public var start: ShardPoint?, end: ShardPoint?
    /// The shard's totals: the entries in its range, what it proved and found (parts aside).
    public var report: VerificationReport
    /// Its findings and parts, in the order reported.
    public var records: [Record]
    /// The options that change a result (what counts, exclusions, the sample, …) in a form the
    /// shards can compare: reports made with different settings are not merged.
    public var settings: [String: String]

    /// Creates the report of the shard of `range`.
    public init(range: ShardRange, report: VerificationReport, records: [Record], settings: [String: String]) {
        self.init(shard: range.shard, start: range.start, end: range.end, report: report, records: records, settings: settings)
    }

    /// Creates a shard report (read back from what a shard printed, say).
    public init(
        shard: Shard, start: ShardPoint?, end: ShardPoint?, report: VerificationReport, records: [Record], settings: [String: String]
    ) {
        self.shard = shard
        self.start = start
        self.end = end
        self.report = report
        self.records = records
        self.settings = settings
    }
}
