import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A regular file opened for reading, closed when the value goes away.
///
/// Opening never blocks (`O_NONBLOCK`: a FIFO swapped in for a file cannot hang the run), never
/// gains a controlling terminal, and asks the kernel not to update the access time
/// (`O_NOATIME`, which only the file's owner or root may use; for other files it is retried
/// without). Anything but a regular file is refused before a byte is read.
struct RegularFile: ~Copyable {
    /// The open descriptor.
    let descriptor: Int32
    /// The file's status right after opening.
    let status: stat

    /// Opens `name` relative to the directory `directory` (or the working directory for
    /// `AT_FDCWD`). With `followSymlinks: false` a symlink is refused instead of followed.
    ///
    /// - Parameter label: what errors name.
    /// - Parameter lookFirst: examine the path before opening it (`fstatat`). Opening a device
    ///   node can have side effects (a tape rewinds on close), so a path nobody has examined yet
    ///   is looked at first; the walk has just examined the entries it hands out, and skips this.
    static func open(
        _ name: UnsafePointer<CChar>, in directory: Int32 = AT_FDCWD, followSymlinks: Bool = false,
        lookFirst: Bool = true, label: @autoclosure () -> PathLabel
    ) throws(SnapCheckError) -> RegularFile {
        var flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
        if !followSymlinks { flags |= O_NOFOLLOW }
        if lookFirst {
            var before = stat()
            let statFlags = followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW
            if case .failure(let error) = Syscall.retrying({ fstatat(directory, name, &before, statFlags) }) {
                throw SnapCheckError(.io, "cannot stat", at: label(), errno: error.code)
            }
            guard before.st_mode & S_IFMT == S_IFREG else {
                throw SnapCheckError(.wrongFileType, "not a regular file (\(FileKind.word(forMode: before.st_mode)))", at: label())
            }
        }
        var result = Syscall.retrying { openat(directory, name, flags | Syscall.noAccessTime) }
        if case .failure(let error) = result, error.code == EPERM {
            result = Syscall.retrying { openat(directory, name, flags) }
        }
        let descriptor: Int32
        switch result {
        case .success(let fd): descriptor = fd
        case .failure(let error):
            throw SnapCheckError(.io, "cannot open", at: label(), errno: error.code)
        }
        switch Syscall.fstat(descriptor) {
        case .success(let status) where status.st_mode & S_IFMT == S_IFREG:
            return RegularFile(descriptor: descriptor, status: status)
        case .success(let status):
            close(descriptor)
            throw SnapCheckError(.wrongFileType, "not a regular file (\(FileKind.word(forMode: status.st_mode)))", at: label())
        case .failure(let error):
            close(descriptor)
            throw SnapCheckError(.io, "cannot stat", at: label(), errno: error.code)
        }
    }

    /// Opens the file at `path` (relative to the working directory unless absolute), named by
    /// its path in errors.
    static func open(_ path: FilePath, followSymlinks: Bool = false) throws(SnapCheckError) -> RegularFile {
        try withCString(path.bytes) { (name) throws(SnapCheckError) -> RegularFile in
            try open(name, followSymlinks: followSymlinks, label: PathLabel(path))
        }
    }

    /// Opens `name`, an entry the walk has just examined as a regular file, in `directory`,
    /// or takes it from `prefetcher`, which may have opened it already (on slow storage).
    static func open(
        walked name: ArraySlice<UInt8>, in directory: DirectoryHandle, prefetcher: Prefetcher? = nil, label: @autoclosure () -> PathLabel
    ) throws(SnapCheckError) -> RegularFile {
        if let (descriptor, status) = prefetcher?.take(name: name, in: directory) {
            return RegularFile(descriptor: descriptor, status: status)
        }
        return try withCString(name) { (cName) throws(SnapCheckError) -> RegularFile in
            try open(cName, in: directory.descriptor, lookFirst: false, label: label())
        }
    }

    private init(descriptor: Int32, status: stat) {
        self.descriptor = descriptor
        self.status = status
    }

    deinit { close(descriptor) }
}
