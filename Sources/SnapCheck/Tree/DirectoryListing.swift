#if canImport(Glibc)
import Glibc
#endif

/// One directory's entries as a walk holds them: examined (`fstatat`, links not followed) and
/// sorted in ``TreeOrder``, in little memory: the names back to back in one buffer and, for
/// each entry, a record of plain numbers (no object of its own), about 70 bytes and its name.
/// A directory of a million entries is walked in about 110 MB at the most, where a list of
/// entries took 300 MB.
struct DirectoryListing {
    /// What `fstatat` told of one entry, and where its name lies in ``names``.
    private struct Record {
        var nameStart: UInt32
        var nameLength: UInt32
        var mode: UInt32
        var size: Int64
        var modificationTime: FileTime
        var changeTime: FileTime
        var device: UInt64
        var inode: UInt64
    }

    private var names: [UInt8] = []
    /// In the order `readdir` gave them.
    private var records: [Record] = []
    /// The records' positions in tree order: sorting 4-byte positions, not 72-byte records,
    /// needs a small buffer (a sort of n items takes n / 2 of them aside).
    private var order: [UInt32] = []

    /// The number of entries.
    var count: Int { order.count }

    /// Lists `directory`: every name but `.` and `..` and those `excluded` leaves out, examined
    /// and sorted. A name that vanished between `readdir` and `fstatat` is skipped: it is no
    /// longer part of the tree.
    static func list(_ directory: DirectoryHandle, excluded: (([UInt8]) -> Bool)?) -> Result<DirectoryListing, Errno> {
        var listing = DirectoryListing()
        // A first pass only counts, so that the storage is taken once, at its size (growing
        // it would hold the old and the new storage at once).
        var (count, bytes) = (0, 0)
        if case .failure(let error) = directory.forEachName({ _, length in
            (count, bytes) = (count + 1, bytes + length)
            return true
        }) {
            return .failure(error)
        }
        listing.records.reserveCapacity(count)
        listing.names.reserveCapacity(bytes)
        var failure: Errno?
        let read = directory.forEachName { name, length in
            if let excluded, excluded(Array(UnsafeRawBufferPointer(start: name, count: length))) { return true }
            var info = stat()
            switch Syscall.retrying({ fstatat(directory.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) }) {
            case .failure(let error) where error.code == ENOENT:
                return true
            case .failure(let error):
                failure = error
                return false
            case .success:
                break
            }
            let start = listing.names.count
            listing.names.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
            listing.records.append(Record(
                nameStart: UInt32(start), nameLength: UInt32(length), mode: UInt32(info.st_mode), size: Int64(info.st_size),
                modificationTime: FileTime(info.st_mtim), changeTime: FileTime(info.st_ctim),
                device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
            return true
        }
        if case .failure(let error) = read { return .failure(error) }
        if let failure { return .failure(failure) }
        var order = (0..<UInt32(listing.records.count)).map { $0 }
        listing.names.withUnsafeBufferPointer { names in
            listing.records.withUnsafeBufferPointer { records in
                order.sort { leftIndex, rightIndex in
                    let (left, right) = (records[Int(leftIndex)], records[Int(rightIndex)])
                    return TreeOrder.compare(
                        UnsafeBufferPointer(rebasing: names[Int(left.nameStart)..<Int(left.nameStart + left.nameLength)]),
                        isDirectory: left.mode & S_IFMT == S_IFDIR,
                        UnsafeBufferPointer(rebasing: names[Int(right.nameStart)..<Int(right.nameStart + right.nameLength)]),
                        isDirectory: right.mode & S_IFMT == S_IFDIR) < 0
                }
            }
        }
        listing.order = order
        return .success(listing)
    }

    /// The name of entry `index` (in tree order).
    func name(_ index: Int) -> [UInt8] {
        let record = records[Int(order[index])]
        return Array(names[Int(record.nameStart)..<Int(record.nameStart + record.nameLength)])
    }

    /// Entry `index` as recorded (its path left empty, no chunks yet).
    func entry(_ index: Int) -> TreeEntry {
        let record = records[Int(order[index])]
        let kind = FileKind(mode: mode_t(record.mode)) ?? .file
        return TreeEntry(
            path: [], kind: kind, mode: record.mode & 0o7777, modificationTime: record.modificationTime,
            size: kind == .file ? UInt64(clamping: record.size) : 0)
    }

    /// The device, inode and status change time of entry `index`.
    func identity(_ index: Int) -> (device: UInt64, inode: UInt64, changeTime: FileTime) {
        let record = records[Int(order[index])]
        return (record.device, record.inode, record.changeTime)
    }
}
