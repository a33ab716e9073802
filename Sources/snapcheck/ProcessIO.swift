#if canImport(Glibc)
import Glibc
#endif

/// What this process has read, from the kernel's own count.
enum ProcessIO {
    /// Everything this process has read so far through read system calls (`rchar` in
    /// /proc/self/io): a spot-check reports it so anyone can check that it reads what it says;
    /// metrics report it as the bytes a run read. -1 when the count cannot be read.
    static func readBytes() -> Int {
        let descriptor = open("/proc/self/io", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return -1 }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        let text = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("rchar:") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
    }
}
