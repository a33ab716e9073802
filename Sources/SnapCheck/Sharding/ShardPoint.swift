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

    /// The exact, one-line form that reports and manifest parts record:
    /// `before|after dir|entry ESCAPED-PATH`, or `chunk N entry ESCAPED-PATH` for a cut
    /// between a file's chunks.
    public var text: String {
        let place = isAfterEntry ? "after" : chunk == 0 ? "before" : "chunk \(chunk)"
        return place + (isDirectory ? " dir " : " entry ") + PathEscaping.escape(path)
    }

    /// Reads the form of ``text``; nil when malformed.
    public init?(text: some StringProtocol) {
        var rest = Substring(text)
        let chunk: Int
        if rest.hasPrefix("before ") {
            chunk = 0
        } else if rest.hasPrefix("after ") {
            chunk = Int.max
        } else if rest.hasPrefix("chunk "), let number = rest.dropFirst(6).split(separator: " ").first,
                  let value = Int(number), value > 0, value < Int.max, String(value) == number {
            chunk = value
            rest = rest.dropFirst(6 + number.count)
        } else {
            return nil
        }
        // What is left: the place word (or the chunk's number, passed), the kind, the path.
        let fields = rest.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[1] == "dir" || fields[1] == "entry",
              let path = PathEscaping.unescape(fields[2].utf8), !path.isEmpty else { return nil }
        self.init(path: path, isDirectory: fields[1] == "dir", chunk: chunk)
    }
}
