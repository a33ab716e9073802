import CSnapCheckArchive

#if canImport(Glibc)
import Glibc
#endif

/// Reads an archive member by member through libarchive, which finds the format (tar: ustar,
/// pax, GNU; cpio; zip; …) and the compression (gzip, zstd, xz, bzip2, …) from the bytes, never
/// from a name.
///
/// The archive comes from a descriptor (a file, or a pipe such as standard input), read
/// forward once; nothing is written anywhere. A member's data is read with ``read(into:)``
/// before the next ``next()``; sparse members read as the bytes they stand for (holes as zeros).
final class ArchiveReader: ArchiveMembers {
    private let archive: OpaquePointer
    private let label: PathLabel
    /// Whether a member header was read yet (an error before that means "not an archive").
    private var sawMember = false
    /// The archive file's size, when the descriptor is a regular file (members' data can then
    /// be read in place).
    private let fileSize: UInt64?
    /// What libarchive reads when it does not read the descriptor itself: a pipe, or a gzip
    /// file, decoded by ISA-L (much faster than the zlib that libarchive would use).
    private let input: ArchiveInput?

    /// Starts reading the archive on `descriptor` (which stays open).
    ///
    /// - Throws: ``SnapCheckError/Code/wrongFileType`` when the bytes are not an archive
    ///   libarchive can read.
    init(descriptor: Int32, label: PathLabel) throws(SnapCheckError) {
        guard let archive = archive_read_new() else { fatalError("libarchive: out of memory") }
        self.archive = archive
        self.label = label
        if case .success(let status) = Syscall.fstat(descriptor), status.st_mode & S_IFMT == S_IFREG {
            fileSize = UInt64(clamping: status.st_size)
        } else {
            fileSize = nil
        }
        archive_read_support_filter_all(archive)
        // Every archive format libarchive reads, but not mtree (a text description, not an
        // archive: any text file would parse as one) and not raw (any bytes as one member).
        for support in [
            archive_read_support_format_tar, archive_read_support_format_cpio, archive_read_support_format_zip,
            archive_read_support_format_7zip, archive_read_support_format_ar, archive_read_support_format_cab,
            archive_read_support_format_iso9660, archive_read_support_format_lha, archive_read_support_format_rar,
            archive_read_support_format_rar5, archive_read_support_format_warc, archive_read_support_format_xar,
            // An empty input is an empty archive (every manifest entry then missing), not an error.
            archive_read_support_format_empty,
        ] {
            _ = support(archive)
        }
        let status: Int32
        let head = fileSize == nil ? [] : Self.head(of: descriptor)
        if fileSize == nil || head.withUnsafeBytes({ GzipInflater.starts($0) }) {
            let input = ArchiveInput(descriptor: descriptor)
            self.input = input
            // libarchive's read callback: the next block of the input given as client data.
            status = archive_read_open(archive, Unmanaged.passUnretained(input).toOpaque(), nil, { archive, client, buffer in
                let input = Unmanaged<ArchiveInput>.fromOpaque(client!).takeUnretainedValue()  // always given, just above
                do throws(ArchiveInput.Failure) {
                    let block = try input.next()
                    buffer?.pointee = UnsafeRawPointer(block.baseAddress)
                    return block.count
                } catch {
                    snapcheck_archive_set_error(archive, EIO, error.message)
                    return -1
                }
            }, nil)
        } else {
            // A file libarchive reads itself. A tar or zip in small blocks: libarchive seeks
            // past members' data in whole blocks and reads the rest, which a spot-check (or a
            // worker, reading in place) does not need. Anything else (compressed: read whole)
            // in large ones.
            input = nil
            status = archive_read_open_fd(archive, descriptor, Self.isTarOrZip(head) ? 64 << 10 : 1 << 20)
        }
        if status != ARCHIVE_OK {
            // Freed by deinit, which runs for an initialised object whose init throws.
            if Self.isUnrecognised(archive) {
                throw SnapCheckError(.wrongFileType, "not an archive snapcheck can read (\(Self.message(archive)))", at: label)
            }
            // A stream that breaks off in its first block: reported as damage at the first read.
            damageAtOpen = damage()
        }
    }

    /// The first bytes of the file on `descriptor`, read in place (the file offset does not
    /// move): enough to tell gzip, and a tar's or a zip's header.
    private static func head(of descriptor: Int32) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: 262)
        let count = head.withUnsafeMutableBytes { (try? Syscall.preadAll(descriptor, into: $0, at: 0).get()) ?? 0 }
        return Array(head[..<count])
    }

    /// Whether `head` begins a plain tar (a ustar, pax or GNU header's magic at byte 257) or a
    /// zip (a local file header at byte 0): archives whose members' data can be sought past.
    private static func isTarOrZip(_ head: [UInt8]) -> Bool {
        (head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)) || head.starts(with: [0x50, 0x4B, 3, 4])
    }

    /// Damage found while opening, reported by the first ``next()``.
    private var damageAtOpen: Damage?

    /// Whether libarchive found no format it knows in the bytes (it says so in these words,
    /// its errno being EILSEQ on one platform and EFTYPE on another).
    private static func isUnrecognised(_ archive: OpaquePointer) -> Bool {
        archive_format(archive) == 0 && message(archive) == "Unrecognized archive format"
    }

    deinit { archive_read_free(archive) }

    /// What went wrong in the archive, as a finding needs it: where in the stream and why.
    struct Damage: Error, Sendable {
        /// Bytes of the archive (after decompression) read before the failure.
        var offset: Int64
        /// Bytes of the input (compressed) read before the failure.
        var inputOffset: Int64
        /// libarchive's explanation.
        var message: String
    }

    /// The next member's header, or nil at the end of the archive.
    ///
    /// - Throws: ``SnapCheckError/Code/wrongFileType`` when the first header shows the input
    ///   is not an archive at all; ``Damage`` when the archive breaks off or is corrupt.
    func next() throws -> ArchiveMember? {
        if let damage = damageAtOpen.take() { throw damage }
        // A name that cannot be converted to the locale's charset (a Latin-1 name in a pax
        // header) is a warning, unless libarchive finds ENOMEM left in errno by an earlier,
        // unrelated call on this thread: it then calls it "Can't allocate memory" and gives
        // up. A clean errno keeps it a warning (the name's bytes are kept as they are).
        errno = 0
        var header: OpaquePointer?
        let status = archive_read_next_header(archive, &header)
        switch status {
        case ARCHIVE_EOF:
            try drainInput()
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            guard let header else { throw damage() }  // libarchive always sets it with these
            sawMember = true
            var member = ArchiveMember(header)
            member.dataOffset = dataOffset(of: member, header)
            return member
        default:
            // Before any member, no format recognised means the input is not an archive;
            // anything else, such as a compressed stream cut short, is damage.
            if !sawMember && Self.isUnrecognised(archive) {
                throw SnapCheckError(.wrongFileType, "not an archive snapcheck can read (\(Self.message(archive)))", at: label)
            }
            throw damage()
        }
    }

    /// Reads what follows the archive's end in the input: the rest of a gzip stream must
    /// decode and pass its checks (libarchive stops at the tar's end-of-archive blocks, which
    /// come before the gzip trailer), and a pipe is read to its end (its writer is not cut off).
    private func drainInput() throws(Damage) {
        guard let input else { return }
        do throws(ArchiveInput.Failure) {
            while try !input.next().isEmpty {}
        } catch {
            throw Damage(offset: max(0, archive_filter_bytes(archive, 0)), inputOffset: input.consumed, message: error.message)
        }
    }

    /// Reads the current member's data into `target`; 0 at its end.
    ///
    /// - Throws: ``Damage`` when the data cannot be read (truncated, bad checksum, …).
    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = archive_read_data(archive, target.baseAddress, target.count)
        if count < 0 { throw damage() }
        return count
    }

    /// Where the member whose header was just read has its data in the archive file, if it is
    /// there whole and as it is: a tar member (ustar, pax, GNU), not sparse, of an uncompressed
    /// archive in a regular file, its data within the file. The tar reader has consumed the
    /// member's headers (pax and GNU long-name blocks included) and nothing of its data, so the
    /// data starts at the bytes consumed so far.
    private func dataOffset(of member: ArchiveMember, _ header: OpaquePointer) -> UInt64? {
        guard let fileSize, member.kind == .file, !isCompressed,
              archive_format(archive) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_TAR,
              archive_entry_sparse_count(header) == 0 else { return nil }
        let consumed = archive_filter_bytes(archive, 0)
        guard consumed >= 0, UInt64(consumed) <= fileSize, member.size <= fileSize - UInt64(consumed) else { return nil }
        return UInt64(consumed)
    }

    /// Whether the archive is compressed as a whole (decoding it then costs as much as hashing
    /// it, and any byte of it needs every byte before it).
    var isCompressed: Bool { input?.isGzip == true || archive_filter_code(archive, 0) != ARCHIVE_FILTER_NONE }

    /// The name of the whole archive's compression ("gzip", "zstd", …), when it has one.
    var compression: String? {
        if input?.isGzip == true { return "gzip" }
        guard isCompressed, let name = archive_filter_name(archive, 0) else { return nil }
        return String(cString: name)
    }

    /// Whether the archive came from a regular file (which can be read at any offset).
    var isFile: Bool { fileSize != nil }

    /// None: this reader reads on the caller's thread.
    var readingThreads: Int { 0 }

    /// Where reading stopped, and why (offsets are -1 before the first read: shown as 0).
    private func damage() -> Damage {
        Damage(
            offset: max(0, archive_filter_bytes(archive, 0)),
            inputOffset: input.flatMap { $0.isGzip ? $0.consumed : nil } ?? max(0, archive_filter_bytes(archive, -1)),
            message: Self.message(archive))
    }

    private static func message(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "unknown error" }
        // One line, printable: libarchive's messages may hold a name from the archive.
        return PathEscaping.escape(Array(String(cString: text).utf8))
    }
}

/// Members of an archive, in order, with their data: an ``ArchiveReader`` on this thread, or an
/// ``ArchiveStream`` that reads on another.
protocol ArchiveMembers: AnyObject {
    /// The next member's header, or nil at the end of the archive.
    func next() throws -> ArchiveMember?
    /// Reads the current member's data into `target`; 0 at its end.
    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int
    /// Threads of its own that read (and decode) the archive: each takes a core.
    var readingThreads: Int { get }
}

extension ArchiveMembers {
    /// Reads the current member's data as ``read(into:)`` does, looking at the job's
    /// cancellation first and counting the bytes for its progress.
    func read(into target: UnsafeMutableRawBufferPointer, monitor: ReadMonitor) throws -> Int {
        try monitor.willRead()
        let count = try read(into: target)
        monitor.didRead(count)
        return count
    }

    /// Threads that hash chunks beside the caller, out of a job's `threads`: the cores that
    /// reading the archive leaves (nil when none is left).
    func hashHelpers(threads: Int) -> HashHelpers? {
        let count = threads - 1 - readingThreads
        return count > 0 ? HashHelpers(count: count, workers: 1) : nil
    }
}
