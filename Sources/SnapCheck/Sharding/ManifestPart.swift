/// What makes a manifest file one part of a manifest recorded in shards (`manifest --shard`):
/// which shard, and the range of the tree it covers. Its header says so, and only
/// ``ManifestMerge`` reads it: every other reader refuses a part, which is not a whole tree.
public struct ManifestPart: Sendable, Hashable {
    /// Which part.
    public var shard: Shard
    /// Where its range starts (nil for the first part).
    public var from: ShardPoint?
    /// Where the next part's range starts (nil for the last part).
    public var to: ShardPoint?

    /// Creates the description of a part.
    public init(shard: Shard, from: ShardPoint?, to: ShardPoint?) {
        self.shard = shard
        self.from = from
        self.to = to
    }

    /// The header lines that record it (not part of the snapshot id).
    var headerLines: [String] {
        ["part \(shard)"] + (from.map { ["part-from " + $0.text] } ?? []) + (to.map { ["part-to " + $0.text] } ?? [])
    }
}
