/// What a walk of a tree leaves out.
public struct WalkOptions: Sendable, Hashable, Codable {
    /// Glob patterns (`fnmatch`) of entries to leave out, with everything below them. A pattern
    /// without `/` is matched against each entry's name, at any depth (`*.tmp`, `.cache`); a
    /// pattern with a `/` against the entry's whole path from the root, where `*` does not
    /// cross a `/` (`home/*/tmp`); a leading `/` anchors a single name at the root (`/cache`).
    public var excludes: [String]
    /// Do not descend into directories on another file system than the root (they are still
    /// recorded, as empty directories).
    public var oneFileSystem: Bool

    /// Creates walk options; the defaults leave nothing out.
    public init(excludes: [String] = [], oneFileSystem: Bool = false) {
        self.excludes = excludes
        self.oneFileSystem = oneFileSystem
    }
}
