/// One of N shards of a check: the work of a verification (or of recording a manifest) cut
/// into N contiguous pieces, each checked on its own, on as many machines, and put back
/// together by ``ShardMerge``.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which shard, 1 ... ``count``.
    public let index: Int
    /// How many shards the work is cut into.
    public let count: Int

    /// Creates shard `index` of `count`.
    ///
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` unless 1 ≤ index ≤ count ≤ 100,000.
    public init(_ index: Int, of count: Int) throws(SnapCheckError) {
        guard (1...100_000).contains(count), (1...count).contains(index) else {
            throw SnapCheckError(.invalidArgument, "a shard is K/N with 1 <= K <= N <= 100000, not \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Reads the `K/N` form (`3/8`: the third of eight shards).
    ///
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` for anything else.
    public init(parsing text: String) throws(SnapCheckError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw SnapCheckError(.invalidArgument, "a shard is K/N (such as 2/8), not \"\(text)\"")
        }
        try self.init(index, of: count)
    }

    /// The `K/N` form.
    public var description: String { "\(index)/\(count)" }

    /// Whether this is the first shard.
    var isFirst: Bool { index == 1 }
    /// Whether this is the last shard.
    var isLast: Bool { index == count }
}
