import SystemPackage
import Foundation
@testable import SnapCheck

/// Builds test trees with byte names (including names Foundation cannot represent).
struct TreeBuilder {
    let root: URL

    init() throws {
        root = try TestSupport.temporaryDirectory()
    }

    func remove() {
        _ = try? TestSupport.run("/bin/chmod", ["-R", "u+rwx", root.path])
        try? FileManager.default.removeItem(at: root)
    }

    /// The full path of a relative byte path, NUL-terminated.
    func fullPath(_ relative: [UInt8]) -> [UInt8] {
        Array(root.path.utf8) + [0x2F] + relative
    }

    func withPath<R>(_ relative: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (fullPath(relative) + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    @discardableResult
    func file(_ relative: [UInt8], _ content: [UInt8] = [], mode: mode_t = 0o644) -> TreeBuilder {
        let fd = withPath(relative) { open($0, O_WRONLY | O_CREAT | O_TRUNC, mode) }
        precondition(fd >= 0, "cannot create \(PathEscaping.escape(relative)): \(errno)")
        content.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
        _ = withPath(relative) { chmod($0, mode) }
        return self
    }

    func file(_ relative: String, _ content: String = "", mode: mode_t = 0o644) {
        file(Array(relative.utf8), Array(content.utf8), mode: mode)
    }

    func directory(_ relative: [UInt8], mode: mode_t = 0o755) {
        let result = withPath(relative) { mkdir($0, mode) }
        precondition(result == 0, "mkdir \(PathEscaping.escape(relative)): \(errno)")
    }

    func directory(_ relative: String) { directory(Array(relative.utf8)) }

    func symlink(_ relative: String, to target: String) {
        let result = withPath(Array(relative.utf8)) { Glibc.symlink(target, $0) }
        precondition(result == 0)
    }

    func fifo(_ relative: String) {
        precondition(withPath(Array(relative.utf8)) { mkfifo($0, 0o644) } == 0)
    }

    /// A Unix domain socket bound at `relative` (left in place when the descriptor closes).
    func socket(_ relative: String) {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(fullPath(Array(relative.utf8)))
        precondition(path.count < 108, "socket path too long")
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(bound == 0, "bind: \(errno)")
        close(fd)
    }

    /// Sets a file's modification time (nanoseconds since the epoch).
    func setModificationTime(_ relative: String, _ nanoseconds: Int64) {
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2 /* UTIME_OMIT */),
                     timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))]
        _ = withPath(Array(relative.utf8)) { utimensat(AT_FDCWD, $0, &times, AT_SYMLINK_NOFOLLOW) }
    }

    /// Builds a manifest of the tree in memory: the entries in order.
    func entries(options: SnapshotOptions = SnapshotOptions(), problems: inout [SnapCheckError]) throws -> [TreeEntry] {
        var entries: [TreeEntry] = []
        var found: [SnapCheckError] = []
        try SnapshotBuilder.build(root: FilePath(root.path), options: options, problem: { found.append($0) }) { entries.append($0) }
        problems = found
        return entries
    }

    func entries(options: SnapshotOptions = SnapshotOptions()) throws -> [TreeEntry] {
        var problems: [SnapCheckError] = []
        return try entries(options: options, problems: &problems)
    }
}
