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
        ["part \(shard)"] + (from.map { ["part-from " + Self.text($0)] } ?? []) + (to.map { ["part-to " + Self.text($0)] } ?? [])
    }

    /// `before|after dir|entry ESCAPED-PATH`: where a cut lies (parts never cut a file).
    private static func text(_ point: ShardPoint) -> String {
        (point.isAfterEntry ? "after " : "before ") + (point.isDirectory ? "dir " : "entry ") + PathEscaping.escape(point.path)
    }

    /// Reads a point written by `text(_:)`; nil when malformed.
    static func point(_ text: Substring) -> ShardPoint? {
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, ["before", "after"].contains(fields[0]), ["dir", "entry"].contains(fields[1]),
              let path = PathEscaping.unescape(fields[2].utf8), !path.isEmpty else { return nil }
        return ShardPoint(path: path, isDirectory: fields[1] == "dir", chunk: fields[0] == "after" ? Int.max : 0)
    }
}
