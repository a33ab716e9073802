/// An entry as a run records it, on its way to the manifest.
struct RecordedEntry: Sendable {
    /// The entry, with its chunks, except those given as ``chunkList`` or ``lines``.
    var entry: TreeEntry
    /// The file's chunks held compactly, for a run that only writes them to a manifest
    /// (`keepsChunksCompact`); empty otherwise.
    var chunkList = ChunkList()
    /// For a file taken over from the previous manifest: its lines there, as they are
    /// (``ManifestReader/nextHeader(appendingLineTo:)``), to be written as they are: the
    /// entry's line, then its chunks' unless they are in ``chunkList``; empty otherwise.
    var lines: [UInt8] = []
    /// How many chunk lines ``lines`` holds.
    var chunkCount = 0

    /// About the bytes it holds beyond its fixed fields (what bounds the entries waiting
    /// between threads).
    var heldBytes: Int {
        entry.heldBytes + chunkList.heldBytes + lines.count
    }

    init(_ entry: TreeEntry, chunkList: ChunkList = ChunkList()) {
        self.entry = entry
        self.chunkList = chunkList
    }
}
