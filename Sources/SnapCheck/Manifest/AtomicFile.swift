import SystemPackage

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
    private let temporaryPath: [UInt8]?
    private let destination: FilePath
    private var done = false

    /// Creates the temporary file next to `destination`.
    package init(destination requested: FilePath) throws(SnapCheckError) {
        var info = stat()
        let requestedBytes = requested.bytes
        if withCString(requestedBytes, { stat($0, &info) }) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR {
                throw SnapCheckError(.wrongFileType, "is a directory", path: requested)
            }
            if info.st_mode & S_IFMT != S_IFREG {
                let descriptor = withCString(requestedBytes) { open($0, O_WRONLY | O_CLOEXEC | O_NOCTTY) }
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
        if let resolved = withCString(requestedBytes, { realpath($0, nil) }) {
            destination = FilePath(platformString: resolved)
            free(resolved)
        }
        self.destination = destination
        // 0666 less the umask: a manifest is as readable as any other new file.
        let directory = destination.removingLastComponent().bytes
        let name = destination.lastComponent.map { FilePath(root: nil, [$0]).bytes } ?? []
        let prefix = (directory.isEmpty ? [] : directory + (directory.last == 0x2F ? [] : [0x2F])) + [0x2E] + name
        let temporary: (descriptor: Int32, path: FilePath)
        do {
            temporary = try TemporaryFile.create(prefix: prefix + Array(".snapcheck-".utf8), mode: 0o666)
        } catch {
            throw SnapCheckError(.io, "cannot create a temporary file beside the output", path: destination, errno: error.errno)
        }
        descriptor = temporary.descriptor
        temporaryPath = temporary.path.bytes
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
        let renamed = withCString(temporaryPath) { from in withCString(destination.bytes) { rename(from, $0) } }
        if renamed != 0 {
            let code = errno
            _ = withCString(temporaryPath) { unlink($0) }
            throw SnapCheckError(.io, "cannot rename the temporary file onto the output", path: destination, errno: code)
        }
        let directory = destination.removingLastComponent()
        let directoryDescriptor = withCString(directory.isEmpty ? [0x2E] : directory.bytes) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
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
        if let temporaryPath { _ = withCString(temporaryPath) { unlink($0) } }
    }
}
