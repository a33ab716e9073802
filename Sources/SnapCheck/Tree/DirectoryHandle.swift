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

    /// The names in the directory, without `.` and `..`, in the order the system returns them.
    func names() -> Result<[[UInt8]], Errno> {
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
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return .failure(Errno(errno)) }
                return .success(names)
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                return Array(bytes.prefix { $0 != 0 })
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string.
func withCString<R: ~Copyable, Failure: Error>(
    _ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws(Failure) -> R
) throws(Failure) -> R {
    let string = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    defer { string.deallocate() }
    bytes.withUnsafeBytes { raw in
        if let base = raw.baseAddress { UnsafeMutableRawPointer(string).copyMemory(from: base, byteCount: raw.count) }
    }
    string[bytes.count] = 0
    return try body(string)
}
