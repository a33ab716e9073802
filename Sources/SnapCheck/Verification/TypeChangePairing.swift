/// Recognises an entry that changed between a directory and something else.
///
/// In tree order a directory `a` sorts as `a/`, so a file `a` and a directory `a` meet at
/// different places of the merge. An unmatched non-directory waits here until both streams have
/// passed the place where a directory of the same name would sort; a directory that arrives
/// unmatched first looks for such a waiting entry on the other side. Only entries between `a`
/// and `a/` in tree order (names like `a-b` or `a.txt`) pass while one waits, so the wait is
/// short.
struct TypeChangePairing {
    enum Side {
        case expected(TreeEntry)
        case actual(TargetEntry)

        var entry: TreeEntry {
            switch self {
            case .expected(let entry): entry
            case .actual(let walked): walked.entry
            }
        }

        var item: VerifyItem {
            switch self {
            case .expected(let entry): .missing(entry)
            case .actual(let walked): .extra(walked)
            }
        }
    }

    private var waiting: [Side] = []

    /// Takes an entry that has no partner at its place in the merge; returns what can be
    /// submitted now.
    mutating func unmatched(_ side: Side) -> [VerifyItem] {
        let entry = side.entry
        guard entry.kind == .directory else {
            waiting.append(side)
            return []
        }
        for (index, other) in waiting.enumerated() where other.entry.path == entry.path {
            switch (side, other) {
            case (.expected(let expected), .actual(let actual)):
                waiting.remove(at: index)
                return [.typeChanged(expected, actual)]
            case (.actual(let actual), .expected(let expected)):
                waiting.remove(at: index)
                return [.typeChanged(expected, actual)]
            default:
                continue
            }
        }
        return [side.item]
    }

    /// Releases the waiting entries that can no longer be paired, given the next entry of each
    /// stream (nil when a stream has ended: then everything is released).
    mutating func passed(expected: TreeEntry?, actual: TreeEntry?) -> [VerifyItem] {
        var released: [VerifyItem] = []
        while let first = waiting.first, Self.isPassed(first.entry.path, by: expected) && Self.isPassed(first.entry.path, by: actual) {
            released.append(waiting.removeFirst().item)
        }
        return released
    }

    /// Whether a directory named `path` would sort before `next` (or the stream has ended).
    private static func isPassed(_ path: [UInt8], by next: TreeEntry?) -> Bool {
        guard let next else { return true }
        return TreeOrder.compare(path, isDirectory: true, next.path, isDirectory: next.kind == .directory) < 0
    }
}
