/// A place where a manifest is cut between shards: before an entry, before one of a large
/// file's chunks, or just after an entry (``chunk`` = `Int.max`).
///
/// Points are ordered as the entries are (``TreeOrder``), then by chunk; every step of a
/// verification (an entry of the manifest or of the target, at its place in tree order)
/// belongs to the shard whose range holds the point (its path, chunk 0).
public struct ShardPoint: Sendable, Hashable, Codable, Comparable {
    /// The entry's path, as bytes.
    public var path: [UInt8]
    /// Whether the entry is a directory (it sorts as if its name ended in `/`).
    public var isDirectory: Bool
    /// The first chunk on this side of the cut: 0 before the entry, `Int.max` after it.
    public var chunk: Int

    /// The point before `chunk` of the entry at `path`.
    public init(path: [UInt8], isDirectory: Bool, chunk: Int = 0) {
        self.path = path
        self.isDirectory = isDirectory
        self.chunk = chunk
    }

    /// The point of a step: the entry itself, before its first chunk.
    init(_ entry: TreeEntry) {
        self.init(path: entry.path, isDirectory: entry.kind == .directory)
    }

    /// Whether the point lies just after its entry rather than before one of its chunks.
    var isAfterEntry: Bool { chunk == Int.max }

    public static func < (lhs: ShardPoint, rhs: ShardPoint) -> Bool {
        let order = TreeOrder.compare(lhs.path, isDirectory: lhs.isDirectory, rhs.path, isDirectory: rhs.isDirectory)
        return order != 0 ? order < 0 : lhs.chunk < rhs.chunk
    }

    /// Compares this point's entry with another entry's place, chunks aside.
    func compareEntry(_ path: [UInt8], isDirectory: Bool) -> Int {
        TreeOrder.compare(self.path, isDirectory: self.isDirectory, path, isDirectory: isDirectory)
    }

    /// The place for people: the escaped path (with `/` for a directory) and, for a cut inside
    /// a file or after an entry, which chunk.
    public var displayText: String {
        PathEscaping.escape(path) + (isDirectory ? "/" : "") + (chunk == 0 ? "" : isAfterEntry ? " (after)" : " (chunk \(chunk))")
    }
}
