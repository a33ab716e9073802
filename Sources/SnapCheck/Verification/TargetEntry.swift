/// An entry of the target being checked, as found there: by the walk of a directory, or in an
/// archive's headers. Both are checked by the same items (``VerifyItem``) and the same reads
/// (``ContentCheck``).
struct TargetEntry: Sendable {
    /// The entry as found (no chunks).
    var entry: TreeEntry
    /// Where a regular file's bytes can be read with positioned reads.
    var content: ContentLocation
    /// Why the entry cannot be read, if it cannot.
    var problem: SnapCheckError?

    /// An entry the walk of a directory found.
    init(walked: WalkedEntry) {
        entry = walked.entry
        // Only a regular file's directory is kept: anything else would hold its directory
        // open while it waits in the queue (a deep tree would run out of descriptors).
        content = walked.entry.kind == .file ? .file(name: walked.name, directory: walked.directory) : .nothing
        problem = walked.problem
    }

    /// An archive member whose data lies whole, uncompressed, in the archive file.
    init(member entry: TreeEntry, content: ContentLocation) {
        self.entry = entry
        self.content = content
    }
}

/// Where the bytes of a regular file in a target are, for positioned reads.
enum ContentLocation: Sendable {
    /// The file `name` in `directory`, which the walk has just examined.
    case file(name: ArraySlice<UInt8>, directory: DirectoryHandle)
    /// `size` bytes at `offset` of the open file `descriptor` (an archive member stored whole and
    /// uncompressed); reads never go past them. The descriptor stays open while the check runs.
    case region(descriptor: Int32, offset: UInt64, size: UInt64)
    /// No bytes to read: not a regular file.
    case nothing
}
