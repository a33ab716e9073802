#if canImport(Glibc)
import Glibc
#endif

/// An open directory descriptor, closed when the last user lets go of it.
///
/// Entries found in a directory keep its handle, so a worker can open a file relative to its
/// directory (`openat`) long after the walk has moved on: no path is ever resolved again from
/// the root, no symlink can be slipped into it, and deep paths are not limited by `PATH_MAX`.
final class DirectoryHandle: Sendable {
    /// The descriptor; valid for the handle's lifetime.
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Opens `name` in `parent` (or the working directory for `AT_FDCWD`) as a directory,
    /// without following a symlink unless `followSymlink`, and without updating access times
    /// where the kernel allows it.
    static func open(
        _ name: UnsafePointer<CChar>, in parent: Int32, followSymlink: Bool = false
    ) -> Result<DirectoryHandle, Errno> {
        var flags = O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC
        if !followSymlink { flags |= O_NOFOLLOW }
        var result = Syscall.retrying { openat(parent, name, flags | Syscall.noAccessTime) }
        if case .failure(let error) = result, error.code == EPERM {
            result = Syscall.retrying { openat(parent, name, flags) }
        }
        return result.map { DirectoryHandle(descriptor: $0) }
    }

    /// Calls `body` with each name in the directory (but `.` and `..`), as a NUL-terminated C
    /// string, its length and the type `readdir` gives (`DT_*`, `DT_UNKNOWN` where the file
    /// system does not say), in the order the system returns them, until it returns false.
    func forEachName(_ body: (UnsafePointer<CChar>, Int, UInt8) -> Bool) -> Result<Void, Errno> {
        // fdopendir takes ownership of the descriptor it is given: give it a duplicate.
        let copy = dup(descriptor)
        guard copy >= 0 else { return .failure(Errno(errno)) }
        guard let stream = fdopendir(copy) else {
            let code = errno
            close(copy)
            return .failure(Errno(code))
        }
        defer { closedir(stream) }
        rewinddir(stream)
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                return errno != 0 ? .failure(Errno(errno)) : .success(())
            }
            let goOn = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { name -> Bool in
                    let length = strlen(name)
                    if (length == 1 && name[0] == 0x2E) || (length == 2 && name[0] == 0x2E && name[1] == 0x2E) { return true }
                    return body(name, length, entry.pointee.d_type)
                }
            }
            if !goOn { return .success(()) }
        }
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string, copied on the stack when short
/// (a name, a path: one is made for every `fstatat` of a walk).
func withCString<Bytes: Collection<UInt8>, R: ~Copyable, Failure: Error>(
    _ bytes: Bytes, _ body: (UnsafePointer<CChar>) throws(Failure) -> R
) throws(Failure) -> R {
    let count = bytes.count
    return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { (string) throws(Failure) -> R in
        let raw = UnsafeMutableRawBufferPointer(string)
        if bytes.withContiguousStorageIfAvailable({ raw.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
            raw.copyBytes(from: bytes)
        }
        string[count] = 0
        return try body(UnsafePointer(string.baseAddress!))
    }
}
