#if canImport(Glibc)
import Glibc
#endif

/// A file that appears at its path complete or not at all.
///
/// Bytes go to a temporary file in the same directory; ``commit()`` flushes it to disk
/// (`fsync`), renames it over the destination and syncs the directory. Until then, and when
/// the write is abandoned, an existing file at the destination is left untouched.
///
/// A destination that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`)
/// is written directly: it cannot be replaced, and must never be. A symlink is followed, so the
/// file it points to is replaced, not the link.
package final class AtomicFile {
    /// The descriptor to write to.
    package let descriptor: Int32
    private let temporaryPath: String?
    private let destination: String
    private var done = false

    /// Creates the temporary file next to `destination`.
    package init(destination requested: String) throws(SnapCheckError) {
        var info = stat()
        if stat(requested, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR {
                throw SnapCheckError(.wrongFileType, "is a directory", path: requested)
            }
            if info.st_mode & S_IFMT != S_IFREG {
                let descriptor = open(requested, O_WRONLY | O_CLOEXEC | O_NOCTTY)
                guard descriptor >= 0 else {
                    throw SnapCheckError(.io, "cannot open for writing", path: requested, errno: errno)
                }
                self.descriptor = descriptor
                destination = requested
                temporaryPath = nil
                return
            }
        }
        var destination = requested
        if let resolved = realpath(requested, nil) {
            destination = String(cString: resolved)
            free(resolved)
        }
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[...$0]) } ?? ""
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        // 0666 less the umask: a manifest is as readable as any other new file.
        let temporary: (descriptor: Int32, path: String)
        do {
            temporary = try TemporaryFile.create(prefix: directory + "." + name + ".snapcheck-", mode: 0o666)
        } catch {
            throw SnapCheckError(.io, "cannot create a temporary file beside the output", path: destination, errno: error.errno)
        }
        descriptor = temporary.descriptor
        temporaryPath = temporary.path
    }

    deinit { abandon() }

    /// Makes the written bytes the destination's content.
    package func commit() throws(SnapCheckError) {
        guard !done else { return }
        guard let temporaryPath else {
            done = true
            close(descriptor)
            return
        }
        if fsync(descriptor) != 0 {
            let code = errno
            abandon()
            throw SnapCheckError(.io, "fsync failed", path: destination, errno: code)
        }
        close(descriptor)
        done = true
        if rename(temporaryPath, destination) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw SnapCheckError(.io, "cannot rename the temporary file onto the output", path: destination, errno: code)
        }
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[...$0]) } ?? "."
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Removes the temporary file; the destination stays as it was.
    func abandon() {
        guard !done else { return }
        done = true
        close(descriptor)
        if let temporaryPath { unlink(temporaryPath) }
    }
}
