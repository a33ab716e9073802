import SystemPackage

/// One thing that keeps a backup from matching its manifest.
public struct Finding: Sendable, Hashable, Codable {
    /// What kind of difference this is (README, "Verifying a backup").
    public enum Kind: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
        /// In the manifest, not in the target.
        case missing
        /// In the target, not in the manifest.
        case extra
        /// The bytes differ; ``Finding/ranges`` says where.
        case content
        /// The entry's type differs (a file became a directory, a symlink, ...).
        case type
        /// A symlink points elsewhere.
        case symlink
        /// Exists but cannot be read (or was unreadable when the manifest was made), so it cannot
        /// be proven.
        case unreadable
        /// Mode or modification time differ.
        case metadata

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A span of bytes in the manifest's (the expected file's) coordinates. A zero length marks
    /// bytes inserted at that offset (for instance appended after the end).
    public struct ByteRange: Sendable, Hashable, Codable {
        /// Offset of the first byte.
        public var offset: UInt64
        /// Number of bytes.
        public var length: UInt64

        /// Creates a range.
        public init(offset: UInt64, length: UInt64) {
            self.offset = offset
            self.length = length
        }
    }

    /// The kind of difference.
    public var kind: Kind
    /// The entry's path, as bytes, relative to the root.
    public var path: [UInt8]
    /// The entry's type in the manifest (nil for an extra entry).
    public var expectedKind: FileKind?
    /// The entry's type in the target (nil for a missing entry).
    public var actualKind: FileKind?
    /// The bytes concerned: a missing file's size, an extra file's size, a damaged file's
    /// size in the manifest.
    public var bytes: UInt64
    /// For `content`: the differing ranges, one per differing chunk, in manifest coordinates.
    public var ranges: [ByteRange]
    /// For `content`: target size minus manifest size.
    public var sizeChange: Int64
    /// A short explanation for people ("mode 0644 -> 0600", "Permission denied", ...).
    public var detail: String
    /// Whether the finding keeps the backup from being proven under the options in use
    /// (otherwise it is a warning).
    public var counts: Bool
    /// Whether it comes from a spot-check's sample: the ranges are those of the sampled chunks
    /// that differ; other chunks of the file were not read.
    public var sampled: Bool
    /// For `metadata`: the recorded and the found mode and modification time (``detail`` says
    /// the same for people).
    public var metadataChange: MetadataChange?
    /// For `unreadable`: the `errno` of the failed system call, when one failed.
    public var errno: Int32?

    /// How an entry's metadata differs from the manifest's.
    public struct MetadataChange: Sendable, Hashable, Codable {
        /// The permission bits in the manifest and in the target.
        public var expectedMode: UInt32, actualMode: UInt32
        /// The modification times in the manifest and in the target.
        public var expectedModificationTime: FileTime, actualModificationTime: FileTime

        /// Creates a metadata change.
        public init(expectedMode: UInt32, actualMode: UInt32, expectedModificationTime: FileTime, actualModificationTime: FileTime) {
            self.expectedMode = expectedMode
            self.actualMode = actualMode
            self.expectedModificationTime = expectedModificationTime
            self.actualModificationTime = actualModificationTime
        }
    }

    /// Creates a finding.
    public init(
        kind: Kind, path: [UInt8], expectedKind: FileKind? = nil, actualKind: FileKind? = nil,
        bytes: UInt64 = 0, ranges: [ByteRange] = [], sizeChange: Int64 = 0, detail: String = "",
        counts: Bool = true, sampled: Bool = false
    ) {
        self.kind = kind
        self.path = path
        self.expectedKind = expectedKind
        self.actualKind = actualKind
        self.bytes = bytes
        self.ranges = ranges
        self.sizeChange = sizeChange
        self.detail = detail
        self.counts = counts
        self.sampled = sampled
    }

    /// The path in its escaped, printable form.
    public var displayPath: String { PathEscaping.escape(path) }

    /// The path as a `FilePath` (relative to the root), byte for byte.
    public var filePath: FilePath { FilePath(bytes: path) }

    /// The differing bytes: the sum of the ranges' lengths.
    public var differingBytes: UInt64 { ranges.reduce(0) { $0 + $1.length } }
}
