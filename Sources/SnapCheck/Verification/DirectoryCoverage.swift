/// What a verification proved and found in one directory of the tree (with everything below
/// it), so a report can say where the proof is thin ("finance/: 41 files missing").
public struct DirectoryCoverage: Sendable, Hashable, Codable {
    /// The directory, relative to the root, as bytes (empty for the top level).
    public var path: [UInt8]
    /// Regular files the manifest expects here.
    public var expectedFiles = 0
    /// Their bytes.
    public var expectedBytes: UInt64 = 0
    /// Regular files whose every byte was read and matched.
    public var intactFiles = 0
    /// Their bytes.
    public var intactBytes: UInt64 = 0
    /// Findings here, by kind (counting ones and warnings).
    public var findings: [Finding.Kind: Int] = [:]
    /// For a rolling spot-check: chunks here, and how many of them are proven within the
    /// window; nil otherwise.
    public var window: Window?

    /// For a rolling spot-check: how much of a directory is proven within the window.
    public struct Window: Sendable, Hashable, Codable {
        /// Chunks proven within the window.
        public var provenChunks: Int
        /// All chunks.
        public var chunks: Int
    }

    /// Creates an empty tally for the directory at `path`.
    public init(path: [UInt8]) {
        self.path = path
    }

    /// The directory in the escaped, printable form, with a trailing `/` (`./` for the top).
    public var displayPath: String { path.isEmpty ? "./" : PathEscaping.escape(path) + "/" }
}

/// Tallies findings and proofs by the directory at a given depth that holds each entry.
///
/// An entry belongs to the first `depth` components of the directory it is in: with depth 1,
/// `finance/2025/q1.csv` and `finance/readme` belong to `finance/`, and `readme` and the
/// directory entry `finance` itself to the top level. So every entry is counted once and the
/// groups add up to the report's totals. At most `limit` groups are kept; entries of further
/// directories are counted in the last group, `…/`.
struct DirectoryTally {
    let depth: Int
    private let limit = 10_000
    private var groups: [DirectoryCoverage] = []
    private var indexes: [[UInt8]: Int] = [:]
    /// The last group used, when its path has all `depth` components: entries come in tree
    /// order, so the next one is most often below it, found with a prefix compare instead of a
    /// hash (this runs for every entry of a verification).
    private var last: (key: [UInt8], index: Int)?

    init(depth: Int) { self.depth = depth }

    /// The group of the entry at `path`: the first `depth` components of its parent directory.
    static func key(_ path: [UInt8], depth: Int) -> [UInt8] {
        var key: [UInt8] = []
        var components = 0
        if let lastSlash = path.lastIndex(of: 0x2F) {
            for byte in path[..<lastSlash] {
                if byte == 0x2F {
                    components += 1
                    if components == depth { break }
                }
                key.append(byte)
            }
        }
        return key
    }

    private mutating func update(_ path: [UInt8], _ change: (inout DirectoryCoverage) -> Void) {
        if let last, path.count > last.key.count + 1, path[last.key.count] == 0x2F, path.starts(with: last.key) {
            change(&groups[last.index])
            return
        }
        var key = Self.key(path, depth: depth)
        if indexes[key] == nil && indexes.count >= limit { key = Array("…".utf8) }
        let index: Int
        if let known = indexes[key] {
            index = known
        } else {
            index = groups.count
            indexes[key] = index
            groups.append(DirectoryCoverage(path: key))
        }
        // A group deep enough holds everything below its path.
        let components = key.isEmpty ? 0 : key.count { $0 == 0x2F } + 1
        last = components == depth && key != Array("…".utf8) ? (key, index) : nil
        change(&groups[index])
    }

    mutating func expect(_ entry: TreeEntry) {
        guard entry.kind == .file else { return }
        let size = entry.size  // captured alone: capturing the entry would copy it
        update(entry.path) {
            $0.expectedFiles += 1
            $0.expectedBytes = $0.expectedBytes.saturatingAdd(size)
        }
    }

    mutating func intact(_ path: [UInt8], size: UInt64) {
        update(path) {
            $0.intactFiles += 1
            $0.intactBytes = $0.intactBytes.saturatingAdd(size)
        }
    }

    mutating func add(_ finding: Finding) {
        let kind = finding.kind
        update(finding.path) { $0.findings[kind, default: 0] += 1 }
    }

    /// The groups, in byte order of their paths.
    var directories: [DirectoryCoverage] {
        groups.sorted { $0.path.lexicographicallyPrecedes($1.path) }
    }
}
