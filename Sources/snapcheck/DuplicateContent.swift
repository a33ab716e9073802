import SnapCheck

/// Files of equal content in a manifest, found in memory that grows by 16 bytes a file (64 bits
/// of the content's identity, and the size), whatever the number of distinct contents: the
/// pairs are sorted once at the end, and equal identities are runs. The paths of the largest
/// groups come from a second read of the manifest, when it is a file.
///
/// Two contents are taken as equal when the first 64 bits of their identities (a SHA-256 over
/// their chunks' SHA-256) are: for a million files, the chance of any false pair is about
/// 3 in 100 million.
struct DuplicateContent {
    private var files: [(identity: UInt64, size: UInt64)] = []

    /// A group of files with equal content.
    struct Group {
        var identity: UInt64
        var copies: Int
        var size: UInt64
        /// Up to three of its paths, once ``collectPaths(_:from:)`` has run.
        var paths: [String] = []

        /// The bytes in copies beyond the first.
        var redundantBytes: UInt64 { UInt64(copies - 1) * size }
    }

    /// Counts `entry` when it is a regular file with content, recorded whole.
    mutating func add(_ entry: TreeEntry) {
        guard entry.kind == .file, entry.status == .ok, entry.size > 0 else { return }
        files.append((Self.identity(entry), entry.size))
    }

    /// The groups (two or more copies), every one counted, the `top` with the most redundant
    /// bytes listed first; the memory of the pairs is given back.
    mutating func groups(top: Int) -> (count: Int, redundantBytes: UInt64, largest: [Group]) {
        files.sort { $0.identity < $1.identity }  // in place: no second array
        var count = 0
        var redundant: UInt64 = 0
        var largest = TopList<Group>(capacity: top) { $0.redundantBytes < $1.redundantBytes }
        var start = 0
        while start < files.count {
            var end = start + 1
            while end < files.count && files[end].identity == files[start].identity { end += 1 }
            if end - start > 1 {
                let group = Group(identity: files[start].identity, copies: end - start, size: files[start].size)
                count += 1
                redundant += group.redundantBytes
                largest.insert(group)
            }
            start = end
        }
        files = []
        return (count, redundant, largest.sorted)
    }

    /// Fills in up to three paths of each group from `reader` (the same manifest, read again).
    static func collectPaths(_ groups: inout [Group], from reader: ManifestReader) throws {
        var indexes: [UInt64: Int] = [:]
        for (index, group) in groups.enumerated() { indexes[group.identity] = index }
        while let entry = try reader.next() {
            guard entry.kind == .file, entry.status == .ok, entry.size > 0,
                  let index = indexes[identity(entry)], groups[index].paths.count < 3 else { continue }
            groups[index].paths.append(entry.displayPath)
        }
    }

    private static func identity(_ entry: TreeEntry) -> UInt64 {
        entry.contentIdentity.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
