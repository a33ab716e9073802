#if canImport(Glibc)
import Glibc
#endif

/// Where bytes come from, in order: a file descriptor, or a decompressor behind one.
protocol ByteSource: AnyObject {
    /// Fills a prefix of `target`; returns how many bytes, 0 at the end.
    func read(into target: UnsafeMutableRawBufferPointer) throws(SnapCheckError) -> Int
}

/// Reads a file descriptor.
final class DescriptorSource: ByteSource {
    private let descriptor: Int32
    private let label: PathLabel

    init(descriptor: Int32, label: PathLabel) {
        self.descriptor = descriptor
        self.label = label
    }

    func read(into target: UnsafeMutableRawBufferPointer) throws(SnapCheckError) -> Int {
        switch Syscall.read(descriptor, into: target) {
        case .success(let count): return count
        case .failure(let error): throw SnapCheckError(.io, "read failed", at: label, errno: error.code)
        }
    }
}
