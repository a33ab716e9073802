#if canImport(Glibc)
import Glibc
#endif

/// A file that appears at its path complete or not at all.
///
/// Bytes go to a temporary file in the same directory; ``commit()`` flushes it to disk
/// (`fsync`), renames it over the destination and syncs the directory. Until then, and when
/// the write is abandoned, an existing file at the destination is left untouched.
final class AtomicFile {
    /// The temporary file's descriptor.
    let descriptor: Int32
    private let temporaryPath: String
    private let destination: String
    private var done = false

    /// Creates the temporary file next to `destination`.
    init(destination: String) throws(SnapCheckError) {
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[...$0]) } ?? ""
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var template = Array((directory + "." + name + ".snapcheck-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw SnapCheckError(.io, "cannot create a temporary file beside the output", path: destination, errno: errno)
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        // mkstemp creates the file 0600; a manifest is as readable as any other new file.
        fchmod(descriptor, 0o666 & ~Self.currentUmask())
        self.descriptor = descriptor
        temporaryPath = String(cString: template)
    }

    deinit { abandon() }

    /// Makes the written bytes the destination's content.
    func commit() throws(SnapCheckError) {
        guard !done else { return }
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
        unlink(temporaryPath)
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
