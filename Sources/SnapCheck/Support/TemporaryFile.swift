import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Creates a new file under an unpredictable name, in one system call that also sets
/// close-on-exec and lets the process's umask apply to `mode`.
///
/// `mkstemp` would need a second call to set close-on-exec (a window in which a thread that
/// forks passes the descriptor on) and always creates 0600, and reading the umask to widen that
/// means changing it for the whole process for a moment. Creating with `O_CREAT | O_EXCL` and
/// six random characters, retried on a clash, has neither problem.
enum TemporaryFile {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// Opens `prefix` followed by six random letters or digits for writing; returns the
    /// descriptor and the path.
    ///
    /// - Throws: ``SnapCheckError`` when no file can be created there.
    static func create(prefix: [UInt8], mode: mode_t) throws(SnapCheckError) -> (descriptor: Int32, path: FilePath) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let suffix = (0..<6).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let path = prefix + suffix
            let descriptor = withCString(path) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode) }
            if descriptor >= 0 { return (descriptor, FilePath(bytes: path)) }
            if errno != EEXIST { throw SnapCheckError(.io, "cannot create a temporary file", at: PathLabel(bytes: path), errno: errno) }
        }
        throw SnapCheckError(.io, "cannot create a temporary file: every name tried exists", at: PathLabel(bytes: prefix))
    }

    /// A scratch file in the system's temporary folder (the library reads no environment
    /// variables), unlinked at once so that it goes away with its descriptors whatever happens:
    /// one to write, one to read back. `purpose` says what it is for, in errors.
    static func scratch(named name: String, purpose: String) throws(SnapCheckError) -> (writer: Int32, reader: Int32) {
        let file = try create(prefix: Array("/tmp/snapcheck-\(name)-".utf8), mode: 0o600)
        let reader = withCString(file.path.bytes) { open($0, O_RDONLY | O_CLOEXEC) }
        let failure = errno
        _ = withCString(file.path.bytes) { unlink($0) }
        guard reader >= 0 else {
            close(file.descriptor)
            throw SnapCheckError(.io, "cannot read back a temporary file for \(purpose)", path: file.path, errno: failure)
        }
        return (file.descriptor, reader)
    }
}
