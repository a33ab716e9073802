/// Where one chunk lies in its file.
public struct ChunkBoundary: Hashable, Codable, Sendable {
    /// The offset of the chunk's first byte in the file.
    public var offset: UInt64
    /// The number of bytes in the chunk.
    public var length: Int

    /// Creates a boundary.
    public init(offset: UInt64, length: Int) {
        self.offset = offset
        self.length = length
    }
}

/// One chunk of a file: where it lies and the SHA-256 of its bytes.
public struct Chunk: Hashable, Codable, Sendable {
    /// The offset of the chunk's first byte in the file.
    public var offset: UInt64
    /// The number of bytes in the chunk.
    public var length: Int
    /// The SHA-256 of the chunk's bytes.
    public var digest: Digest

    /// Creates a chunk record.
    public init(offset: UInt64, length: Int, digest: Digest) {
        self.offset = offset
        self.length = length
        self.digest = digest
    }
}
