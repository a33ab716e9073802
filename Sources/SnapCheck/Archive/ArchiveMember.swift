import CSnapCheckArchive

#if canImport(Glibc)
import Glibc
#endif

/// One member of an archive, as its header describes it.
struct ArchiveMember: Sendable {
    /// The member's name, bytes as stored (not yet mapped to a manifest path).
    var name: [UInt8]
    /// Its type.
    var kind: FileKind
    /// Permission bits (`0o7777`).
    var mode: UInt32
    /// Modification time, if the header has one.
    var modificationTime: FileTime?
    /// Whether the time has a fraction of a second (pax, and some others); tar's ustar and GNU
    /// headers keep whole seconds only.
    var hasSubsecondTime: Bool
    /// The data's size (what `read(into:)` will give).
    var size: UInt64
    /// A symlink's target.
    var symlinkTarget: [UInt8]?
    /// For a hard link: the name of the member it links to. In tar its data is there, not
    /// here; in cpio the last member of a link set carries the data for all of them.
    var hardlinkTarget: [UInt8]?
    /// The number of names the file had, as the header records it (0 when it does not).
    var linkCount: UInt32
    /// Where the data lies, whole and as it is, in the archive file (a plain tar member, not
    /// sparse, in a regular file): it can then be read there with positioned reads, by any
    /// thread, while the headers are read on. Nil when it can only be streamed.
    var dataOffset: UInt64?

    init(_ entry: OpaquePointer) {
        name = Self.bytes(archive_entry_pathname(entry)) ?? []
        hardlinkTarget = Self.bytes(archive_entry_hardlink(entry))
        symlinkTarget = Self.bytes(archive_entry_symlink(entry))
        let type = UInt32(archive_entry_filetype(entry))
        kind = hardlinkTarget != nil ? .file : (FileKind(mode: mode_t(type)) ?? .file)
        mode = UInt32(archive_entry_perm(entry)) & 0o7777
        if archive_entry_mtime_is_set(entry) != 0 {
            let nanoseconds = archive_entry_mtime_nsec(entry)
            modificationTime = FileTime(seconds: Int64(archive_entry_mtime(entry)), nanoseconds: UInt32(clamping: nanoseconds))
            hasSubsecondTime = nanoseconds != 0
        } else {
            modificationTime = nil
            hasSubsecondTime = false
        }
        size = archive_entry_size_is_set(entry) != 0 ? UInt64(clamping: archive_entry_size(entry)) : 0
        linkCount = UInt32(clamping: archive_entry_nlink(entry))
    }

    /// Whether the data of this member comes with a later member of its link set (cpio: an
    /// empty member of a file with several names).
    var dataComesLater: Bool { kind == .file && hardlinkTarget == nil && size == 0 && linkCount > 1 }

    private static func bytes(_ text: UnsafePointer<CChar>?) -> [UInt8]? {
        guard let text else { return nil }
        return Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
    }
}
