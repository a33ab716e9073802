import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// An error from the SnapCheck library: a code a program can switch on, a message a person
/// can read, the path it concerns (if any) and the system error behind it (if any).
///
/// The ``description`` is a single line, suitable for `snapcheck: <description>` on stderr.
public struct SnapCheckError: Error, Sendable, CustomStringConvertible, Hashable, Codable {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Codable, Sendable, CustomStringConvertible {
        /// The code's name, as it appears in JSON output.
        public let name: String

        /// Chunking parameters out of range or out of order.
        public static let invalidParameters = Code(name: "invalid-parameters")
        /// A digest string that is not 64 hexadecimal digits (optionally after `sha256:`).
        public static let invalidDigest = Code(name: "invalid-digest")
        /// A path that is not what the operation needs (a FIFO where a regular file was
        /// expected, a target that is not a directory, ...).
        public static let wrongFileType = Code(name: "wrong-file-type")
        /// A system call failed; ``SnapCheckError/errno`` holds the reason.
        public static let io = Code(name: "io")
        /// A file changed while it was being read.
        public static let changedWhileReading = Code(name: "changed-while-reading")
        /// A manifest that is truncated, corrupt, reordered or not a manifest at all.
        public static let invalidManifest = Code(name: "invalid-manifest")
        /// A valid manifest whose snapshot id is not the one the caller pinned (for example
        /// with `--expect-snapshot`): a manifest rewritten and sealed again is refused.
        public static let unexpectedSnapshot = Code(name: "unexpected-snapshot")
        /// A spot-check state file that is damaged, cut short or not a state file at all.
        public static let invalidState = Code(name: "invalid-state")
        /// The job was cancelled (see ``Cancellation``) before it finished.
        public static let cancelled = Code(name: "cancelled")
        /// A request that makes no sense (an option value out of range, ...).
        public static let invalidArgument = Code(name: "invalid-argument")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line explanation, without the path or the system error.
    public var message: String
    /// The path concerned, for display (non-UTF-8 bytes escaped, see ``PathEscaping``), if any.
    public var path: String?
    /// The path concerned, exactly as the system names it (raw bytes, whatever the encoding),
    /// if there is one: a path inside a tree is relative to the tree's root. Nil when ``path``
    /// is only a label such as `<stdin>`.
    public var filePath: FilePath?
    /// The `errno` value of the failed system call, if any.
    public var errno: Int32?
    /// For ``Code/invalidManifest``: the number of the manifest line at fault (from 1), if the
    /// problem is on a line (it is also in ``message``).
    public var line: Int?

    /// Creates an error about `path` (if any).
    public init(_ code: Code, _ message: String, path: FilePath? = nil, errno: Int32? = nil) {
        self.init(code, message, at: path.map(PathLabel.init), errno: errno)
    }

    /// Creates an error about what `label` names (if anything).
    init(_ code: Code, _ message: String, at label: PathLabel?, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = label?.display
        self.filePath = label?.filePath
        self.errno = errno
    }

    /// One line: the path (if any), the message and the system's reason (if any).
    public var description: String {
        path.map { "\($0): " + reason } ?? reason
    }

    /// The message and the system's reason (if any), without the path.
    public var reason: String {
        errno.map { message + ": " + String(cString: strerror($0)) } ?? message
    }
}
