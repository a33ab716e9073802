/// One shard's share of a regular file that the shard cut passes through: the chunks the shard
/// read, and whether they matched.
///
/// The shard that holds the file's first chunk reports its other findings (metadata) as
/// usual; its content verdict waits for every part. When a part does not match, its shard
/// checks the whole file as a single run would (with resynchronisation, so the ranges are
/// exact) and carries the findings here, outside its own tallies: ``ShardMerge`` reports them
/// once, at the file's place.
public struct ShardPart: Sendable, Hashable, Codable {
    /// The file's path, as bytes.
    public var path: [UInt8]
    /// The chunks this shard read.
    public var chunks: Range<Int>
    /// How many chunks the manifest gives the file.
    public var chunkCount: Int
    /// The file's size in the manifest.
    public var size: UInt64
    /// Whether the chunks read matched (and, for a part that did not, the whole file then did).
    public var intact: Bool
    /// When not intact: the findings of the whole file's check (content, or unreadable).
    public var findings: [Finding]

    /// Creates a part.
    public init(path: [UInt8], chunks: Range<Int>, chunkCount: Int, size: UInt64, intact: Bool, findings: [Finding] = []) {
        self.path = path
        self.chunks = chunks
        self.chunkCount = chunkCount
        self.size = size
        self.intact = intact
        self.findings = findings
    }

    /// Whether this part holds the file's first chunk (its shard reports the file).
    public var isHead: Bool { chunks.lowerBound == 0 }
}
