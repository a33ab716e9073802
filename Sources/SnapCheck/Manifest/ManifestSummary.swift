/// The totals of a manifest, as its trailer records them, and its snapshot id.
public struct ManifestSummary: Sendable, Hashable, Codable {
    /// Regular files.
    public var files = 0
    /// Directories.
    public var directories = 0
    /// Symbolic links.
    public var symlinks = 0
    /// FIFOs, sockets and device nodes.
    public var special = 0
    /// Total size of the regular files, in bytes.
    public var bytes: UInt64 = 0
    /// Total number of chunks.
    public var chunks = 0
    /// Entries recorded as unreadable.
    public var unreadable = 0
    /// Files that changed while they were read.
    public var changed = 0
    /// The snapshot id: the SHA-256 of the manifest's version, chunking and hash lines and of
    /// every entry line, so it depends only on the tree and the chunking parameters.
    public var snapshotID: Digest

    /// Empty totals, while a manifest is written or read; the id is set when it is complete.
    init() {
        snapshotID = Digest(bytes: [UInt8](repeating: 0, count: Digest.byteCount))
    }

    /// All entries of any type.
    public var entries: Int { files + directories + symlinks + special }

    /// Adds one entry to the totals.
    mutating func add(_ entry: TreeEntry) {
        switch entry.kind {
        case .file:
            files += 1
            bytes = bytes.saturatingAdd(entry.size)
            chunks += entry.chunks.count
        case .directory: directories += 1
        case .symlink: symlinks += 1
        case .fifo, .socket, .blockDevice, .characterDevice: special += 1
        }
        if entry.status == .unreadable { unreadable += 1 }
        if entry.status == .changed { changed += 1 }
    }
}
