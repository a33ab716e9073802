#if canImport(Glibc)
import Glibc
#endif

/// Somewhere bytes go, in order: a file descriptor, or a compressor in front of one.
protocol ByteSink: AnyObject {
    /// Takes bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws(SnapCheckError)
    /// Pushes out everything still buffered.
    func finish() throws(SnapCheckError)
}

extension ByteSink {
    /// Takes the bytes of `bytes`.
    func write(_ bytes: [UInt8]) throws(SnapCheckError) {
        // withUnsafeBytes does not pass a typed error through: it is carried out by hand.
        var failure: SnapCheckError?
        bytes.withUnsafeBytes { buffer in
            do throws(SnapCheckError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

/// Writes to a file descriptor through a 256 KiB buffer.
final class DescriptorSink: ByteSink {
    private let descriptor: Int32
    private let label: PathLabel
    private var buffer: [UInt8] = []

    init(descriptor: Int32, label: PathLabel) {
        self.descriptor = descriptor
        self.label = label
        buffer.reserveCapacity(1 << 18)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(SnapCheckError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    func finish() throws(SnapCheckError) { try flush() }

    private func flush() throws(SnapCheckError) {
        let result = buffer.withUnsafeBytes { Syscall.writeAll(descriptor, $0) }
        if case .failure(let error) = result {
            throw SnapCheckError(.io, "write failed", at: label, errno: error.code)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
