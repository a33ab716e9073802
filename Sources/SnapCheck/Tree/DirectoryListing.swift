#if canImport(Glibc)
import Glibc
#endif

/// One directory's names as a walk holds them, sorted in ``TreeOrder``, in little memory: the
/// names back to back in one buffer and, for each, 8 bytes (where its name lies, and its type).
/// Each entry is examined (`fstatat`) only when the walk comes to it
/// (``TreeWalker``), so a listing holds no status of any entry: a directory of a million
/// entries is listed in about 30 MB, where a status for each took 90.
struct DirectoryListing {
    /// Where a name lies in ``names``, and the type `readdir` gave for it (`DT_*`; a name of
    /// unknown type is examined while listing, for its place in the order).
    private struct Record {
        var nameStart: UInt32
        var nameLength: UInt16
        var type: UInt8
    }

    private var names: [UInt8] = []
    /// In the order `readdir` gave them.
    private var records: [Record] = []
    /// The records' positions in tree order: sorting 4-byte positions, not records, needs a
    /// small buffer (a sort of n items takes n / 2 of them aside).
    private var order: [UInt32] = []

    /// The number of entries.
    var count: Int { order.count }

    /// The most names listed in a single pass over a directory.
    private static let onePass = 4096

    /// Lists `directory`: every name but `.` and `..` and those `excluded` leaves out, sorted.
    /// A name of unknown type that vanished before it could be examined is left out: it is no
    /// longer part of the tree.
    static func list(_ directory: DirectoryHandle, excluded: ((UnsafeBufferPointer<UInt8>) -> Bool)?) -> Result<DirectoryListing, Errno> {
        var listing = DirectoryListing()
        var failure: Errno?
        func add(_ name: UnsafePointer<CChar>, _ length: Int, _ type: UInt8) -> Bool {
            if let excluded, excluded(UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: length)) {
                return true
            }
            var known = type
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                switch Syscall.retrying({ fstatat(directory.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) }) {
                case .failure(let error) where error.code == ENOENT:
                    return true
                case .failure(let error):
                    failure = error
                    return false
                case .success:
                    known = info.st_mode & S_IFMT == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
            }
            listing.records.append(Record(nameStart: UInt32(listing.names.count), nameLength: UInt16(clamping: length), type: known))
            listing.names.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
            return true
        }
        // Most directories are small, and listed in one pass. One of more than `onePass` names
        // is counted to its end and listed again into storage taken once, at its size (growing
        // it would hold the old and the new storage at once).
        var (count, bytes) = (0, 0)
        var counting = false
        let first = directory.forEachName { name, length, type in
            (count, bytes) = (count + 1, bytes + length)
            if !counting && count > onePass { counting = true }
            return counting || add(name, length, type)
        }
        if case .failure(let error) = first { return .failure(error) }
        if let failure { return .failure(failure) }
        if counting {
            listing = DirectoryListing()
            listing.records.reserveCapacity(count)
            listing.names.reserveCapacity(bytes)
            let second = directory.forEachName(add)
            if case .failure(let error) = second { return .failure(error) }
            if let failure { return .failure(failure) }
        }
        var order = (0..<UInt32(listing.records.count)).map { $0 }
        listing.names.withUnsafeBufferPointer { names in
            listing.records.withUnsafeBufferPointer { records in
                order.sort { leftIndex, rightIndex in
                    let (left, right) = (records[Int(leftIndex)], records[Int(rightIndex)])
                    return TreeOrder.compare(
                        UnsafeBufferPointer(rebasing: names[Int(left.nameStart)..<Int(left.nameStart) + Int(left.nameLength)]),
                        isDirectory: left.type == UInt8(DT_DIR),
                        UnsafeBufferPointer(rebasing: names[Int(right.nameStart)..<Int(right.nameStart) + Int(right.nameLength)]),
                        isDirectory: right.type == UInt8(DT_DIR)) < 0
                }
            }
        }
        listing.order = order
        return .success(listing)
    }

    /// The path of entry `index` (in tree order) in the directory whose path, with a trailing
    /// `/`, is `prefix`: made in one piece, taken once.
    func path(_ index: Int, prefix: [UInt8]) -> [UInt8] {
        let record = records[Int(order[index])]
        let (start, length) = (Int(record.nameStart), Int(record.nameLength))
        var path: [UInt8] = []
        path.reserveCapacity(prefix.count + length)
        path.append(contentsOf: prefix)
        names.withUnsafeBufferPointer { path.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<(start + length)])) }
        return path
    }

    /// Whether entry `index` was listed as a directory: its place in the order depends on it.
    func isDirectory(_ index: Int) -> Bool {
        records[Int(order[index])].type == UInt8(DT_DIR)
    }

    /// The kind `readdir` gave for entry `index`, for an entry that cannot be examined (nil
    /// when it gave none the walk records).
    func listedKind(_ index: Int) -> FileKind? {
        switch Int32(records[Int(order[index])].type) {
        case Int32(DT_REG): .file
        case Int32(DT_DIR): .directory
        case Int32(DT_LNK): .symlink
        case Int32(DT_FIFO): .fifo
        case Int32(DT_SOCK): .socket
        case Int32(DT_BLK): .blockDevice
        case Int32(DT_CHR): .characterDevice
        default: nil
        }
    }
}
