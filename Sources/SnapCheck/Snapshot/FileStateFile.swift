import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// What `lstat` said of a regular file when its manifest entry was made, beyond what the
/// manifest keeps (size, modification time): the status change time, the inode and the device.
/// With them, a later run can tell a file that was not touched since (``PreviousManifest``).
struct FileState: Equatable, Sendable {
    /// FNV-1a of the file's path, to check that a record belongs to its entry.
    var pathHash: UInt64
    var changeTime: FileTime
    var inode: UInt64
    var device: UInt64

    /// The state of an entry that must never be reused (unreadable, changed while read).
    static let none = FileState(pathHash: 0, changeTime: FileTime(seconds: 0), inode: 0, device: 0)

    init(pathHash: UInt64, changeTime: FileTime, inode: UInt64, device: UInt64) {
        self.pathHash = pathHash
        self.changeTime = changeTime
        self.inode = inode
        self.device = device
    }

    /// The state to keep for `entry`, recorded from the file the walk found as `walked`: the
    /// walk's `lstat`, taken before the file was read, so that any change since shows in the
    /// next run's (the manifest's time is the one `fstat` gave when it was opened).
    init(recorded entry: TreeEntry, walked: WalkedEntry) {
        guard entry.status == .ok else {
            self = .none
            return
        }
        self.init(pathHash: PathHash.of(entry.path), changeTime: walked.changeTime, inode: walked.inode, device: walked.device)
    }
}

/// The side file `MANIFEST.stat` that `manifest --reuse` writes beside a manifest: one
/// ``FileState`` for each regular file of the manifest, in manifest order.
///
/// Format (little-endian): the line `snapcheck-stat v1`, then 36 bytes a file (path hash,
/// ctime seconds and nanoseconds, inode, device), then 48 bytes: the number of records and the
/// manifest file's own identity when this was written (device, inode, size, mtime seconds and
/// nanoseconds), and `END\n`. A side file whose manifest is not that file any more (rewritten,
/// replaced, copied) is not used: the identity is what binds the two.
enum FileStateFile {
    static let header = Array("snapcheck-stat v1\n".utf8)
    static let recordSize = 36
    static let trailerSize = 48

    /// The side file's path for the manifest at `manifest`.
    static func path(for manifest: FilePath) -> FilePath {
        FilePath(bytes: manifest.bytes + Array(".stat".utf8))
    }

    /// The identity of the file at `path`, as the trailer records it; nil when it cannot be
    /// examined.
    static func identity(of path: FilePath) -> [UInt8]? {
        var info = stat()
        guard withCString(path.bytes, { stat($0, &info) }) == 0 else { return nil }
        var bytes: [UInt8] = []
        for value in [UInt64(info.st_dev), UInt64(info.st_ino), UInt64(clamping: info.st_size), UInt64(bitPattern: Int64(info.st_mtim.tv_sec))] {
            append(value, to: &bytes)
        }
        append(UInt32(clamping: info.st_mtim.tv_nsec), to: &bytes)
        return bytes
    }

    static func append<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func read<Value: FixedWidthInteger>(_: Value.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Value {
        Value(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Value.self))
    }

    /// Writes a side file atomically, beside its manifest, once the manifest is in place.
    final class Writer {
        private let file: AtomicFile
        private let sink: DescriptorSink
        private var record: [UInt8] = []
        private var count: UInt64 = 0

        /// Starts the side file of the manifest that will be at `manifest`.
        init(manifest: FilePath) throws(SnapCheckError) {
            let path = FileStateFile.path(for: manifest)
            file = try AtomicFile(destination: path)
            sink = DescriptorSink(descriptor: file.descriptor, label: PathLabel(path))
            try sink.write(FileStateFile.header)
        }

        /// Adds the state of the manifest's next regular file.
        func append(_ state: FileState) throws(SnapCheckError) {
            record.removeAll(keepingCapacity: true)
            FileStateFile.append(state.pathHash, to: &record)
            FileStateFile.append(UInt64(bitPattern: state.changeTime.seconds), to: &record)
            FileStateFile.append(state.changeTime.nanoseconds, to: &record)
            FileStateFile.append(state.inode, to: &record)
            FileStateFile.append(state.device, to: &record)
            try sink.write(record)
            count += 1
        }

        /// Seals the side file with the identity of the manifest now at `manifest`, and moves
        /// it into place.
        func finish(manifest: FilePath) throws(SnapCheckError) {
            guard let identity = FileStateFile.identity(of: manifest) else {
                throw SnapCheckError(.io, "cannot examine the manifest just written", path: manifest, errno: errno)
            }
            var trailer: [UInt8] = []
            FileStateFile.append(count, to: &trailer)
            trailer += identity + Array("END\n".utf8)
            try sink.write(trailer)
            try sink.finish()
            try file.commit()
        }
    }

    /// Reads a side file's records in order, after checking that it belongs to its manifest.
    final class Reader {
        private let descriptor: Int32
        private let buffer: UnsafeMutableRawBufferPointer
        private var start = 0
        private var end = 0
        private var remaining: UInt64

        /// Opens the side file of the manifest at `manifest`.
        ///
        /// - Throws: ``Unusable`` saying why it cannot be used: missing, not a side file,
        ///   damaged, or made for another manifest (or another version of this one).
        init(manifest: FilePath) throws(Unusable) {
            let path = FileStateFile.path(for: manifest)
            let descriptor = withCString(path.bytes) { open($0, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
            guard descriptor >= 0 else {
                throw Unusable("\(PathLabel(path).display) cannot be opened (\(String(cString: strerror(errno))))")
            }
            self.descriptor = descriptor
            buffer = .allocate(byteCount: 1 << 20, alignment: 8)  // never empty: its base address is never nil
            remaining = 0
            guard case .success(let info) = Syscall.fstat(descriptor), info.st_size >= FileStateFile.header.count + FileStateFile.trailerSize else {
                throw Unusable("\(PathLabel(path).display) is too short to be a side file")
            }
            let size = Int(info.st_size)
            var head = [UInt8](repeating: 0, count: FileStateFile.header.count)
            var tail = [UInt8](repeating: 0, count: FileStateFile.trailerSize)
            let headRead = head.withUnsafeMutableBytes { (try? Syscall.preadAll(descriptor, into: $0, at: 0).get()) ?? 0 }
            let tailRead = tail.withUnsafeMutableBytes {
                (try? Syscall.preadAll(descriptor, into: $0, at: UInt64(size - FileStateFile.trailerSize)).get()) ?? 0
            }
            guard headRead == head.count, tailRead == tail.count, head == FileStateFile.header, tail.suffix(4) == Array("END\n".utf8) else {
                throw Unusable("\(PathLabel(path).display) is not a snapcheck side file, or is damaged")
            }
            let count = tail.withUnsafeBytes { FileStateFile.read(UInt64.self, $0, at: 0) }
            let body = size - FileStateFile.header.count - FileStateFile.trailerSize
            guard body % FileStateFile.recordSize == 0, UInt64(body / FileStateFile.recordSize) == count else {
                throw Unusable("\(PathLabel(path).display) is damaged (its length does not match its count)")
            }
            guard let identity = FileStateFile.identity(of: manifest), Array(tail[8..<44]) == identity else {
                throw Unusable("\(PathLabel(path).display) was written for another version of \(PathLabel(manifest).display)")
            }
            remaining = count
            // Records are read on from just after the header.
            _ = lseek(descriptor, off_t(FileStateFile.header.count), SEEK_SET)
        }

        deinit {
            close(descriptor)
            buffer.deallocate()
        }

        /// Why a side file cannot be used (the run then reads every file).
        struct Unusable: Error {
            var reason: String
            init(_ reason: String) { self.reason = reason }
        }

        /// The next record; nil after the last (or when the file cannot be read on: the caller
        /// then stops reusing).
        func next() -> FileState? {
            guard remaining > 0 else { return nil }
            if end - start < FileStateFile.recordSize {
                let left = end - start
                if left > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: left) }
                start = 0
                end = left
                while end < FileStateFile.recordSize {
                    guard case .success(let count) = Syscall.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...])),
                          count > 0 else { return nil }
                    end += count
                }
            }
            let record = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + FileStateFile.recordSize)])
            start += FileStateFile.recordSize
            remaining -= 1
            return FileState(
                pathHash: FileStateFile.read(UInt64.self, record, at: 0),
                changeTime: FileTime(
                    seconds: Int64(bitPattern: FileStateFile.read(UInt64.self, record, at: 8)),
                    nanoseconds: FileStateFile.read(UInt32.self, record, at: 16)),
                inode: FileStateFile.read(UInt64.self, record, at: 20),
                device: FileStateFile.read(UInt64.self, record, at: 28))
        }
    }
}
