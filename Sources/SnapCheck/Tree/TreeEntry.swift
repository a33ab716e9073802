import SystemPackage

/// One entry of a tree, as a manifest records it: a path, a type, metadata and, for a regular
/// file, its chunks.
///
/// Paths are relative to the tree's root and are raw bytes, components separated by `/`:
/// any name Linux allows round-trips exactly. Use ``displayPath`` to show one.
public struct TreeEntry: Sendable, Hashable, Codable {
    /// Whether the entry could be read completely.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Recorded completely.
        case ok
        /// Could not be read (a file that cannot be opened or read, a directory that cannot be
        /// listed): its content is unknown.
        case unreadable
        /// A regular file whose size or modification time changed while it was read: the
        /// recorded chunks may not match any single state of the file.
        case changed
    }

    /// The path relative to the root, as bytes.
    public var path: [UInt8]
    /// The type of the entry.
    public var kind: FileKind
    /// The permission bits, including set-user-ID, set-group-ID and sticky (`st_mode & 07777`).
    public var mode: UInt32
    /// The modification time, exactly as the kernel reported it.
    public var modificationTime: FileTime
    /// The size in bytes: the file's length for a regular file, the target's length for a
    /// symlink, 0 for anything else.
    public var size: UInt64
    /// The link's target, as bytes, for a symlink; nil otherwise.
    public var symlinkTarget: [UInt8]?
    /// The chunks of a regular file, in order; empty for an empty file and for other types.
    public var chunks: [Chunk]
    /// Whether the entry was read completely.
    public var status: Status

    /// Creates an entry.
    public init(
        path: [UInt8], kind: FileKind, mode: UInt32, modificationTime: FileTime, size: UInt64 = 0,
        symlinkTarget: [UInt8]? = nil, chunks: [Chunk] = [], status: Status = .ok
    ) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.modificationTime = modificationTime
        self.size = size
        self.symlinkTarget = symlinkTarget
        self.chunks = chunks
        self.status = status
    }

    /// The path in the escaped, printable form used in manifests and reports.
    public var displayPath: String { PathEscaping.escape(path) }

    /// The path as a `FilePath` (relative to the root), byte for byte.
    public var filePath: FilePath { FilePath(bytes: path) }

    /// How this entry's mode and modification time differ from `other`'s, for people
    /// ("mode 0644 -> 0600, mtime … -> …"); nil when they are equal.
    func metadataChange(to other: TreeEntry) -> String? {
        var changes: [String] = []
        if mode != other.mode { changes.append("mode \(Self.octal(mode)) -> \(Self.octal(other.mode))") }
        if modificationTime != other.modificationTime {
            changes.append("mtime \(modificationTime) -> \(other.modificationTime)")
        }
        return changes.isEmpty ? nil : changes.joined(separator: ", ")
    }

    /// One digest for a regular file's whole content, as far as the manifest tells it: the
    /// chunk's digest for a file of one chunk (its SHA-256), else the SHA-256 of the chunk
    /// digests in order. Equal for equal contents under the same chunking.
    package var contentIdentity: Digest {
        var identity = ContentIdentity()
        for chunk in chunks { identity.add(chunk.digest) }
        return identity.finish()
    }

    /// About the bytes the entry holds beyond its fixed fields: its path, link target and
    /// chunks (what bounds the entries waiting between threads).
    var heldBytes: Int {
        path.count + (symlinkTarget?.count ?? 0) + chunks.count * MemoryLayout<Chunk>.stride
    }

    /// "regular file became a directory"
    func typeChange(to other: TreeEntry) -> String {
        "\(kind.word) became a \(other.kind.word)"
    }

    /// A mode as four octal digits, `0644`.
    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
