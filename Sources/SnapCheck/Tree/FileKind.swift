#if canImport(Glibc)
import Glibc
#endif

/// The type of a directory entry, as `lstat` reports it.
public enum FileKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A regular file.
    case file
    /// A directory.
    case directory
    /// A symbolic link (never followed).
    case symlink
    /// A named pipe.
    case fifo
    /// A Unix domain socket.
    case socket
    /// A block device node.
    case blockDevice
    /// A character device node.
    case characterDevice

    /// The kind encoded in the `S_IFMT` bits of `mode`; nil for an unknown type.
    init?(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFBLK: self = .blockDevice
        case S_IFCHR: self = .characterDevice
        default: return nil
        }
    }

    /// A short word for the type encoded in `mode`, for messages.
    static func word(forMode mode: mode_t) -> String {
        FileKind(mode: mode)?.word ?? "unknown file type"
    }

    /// A short word for messages: "regular file", "directory", "FIFO", ...
    public var word: String {
        switch self {
        case .file: "regular file"
        case .directory: "directory"
        case .symlink: "symbolic link"
        case .fifo: "FIFO"
        case .socket: "socket"
        case .blockDevice: "block device"
        case .characterDevice: "character device"
        }
    }
}
