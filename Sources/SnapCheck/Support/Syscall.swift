#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers that own the `-1`/errno/EINTR convention of system calls, so callers see a
/// value or a ``SnapCheckError``.
package enum Syscall {
    /// Linux's O_NOATIME (include/uapi/asm-generic/fcntl.h). Glibc only declares it under
    /// _GNU_SOURCE, which Swift's Glibc module does not define.
    static let noAccessTime: Int32 = 0o1000000

    /// Runs `call` until it does not fail with EINTR; returns its result or the errno.
    @inline(__always)
    static func retrying<R: BinaryInteger>(_ call: () -> R) -> Result<R, Errno> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = Glibc.errno
            if code != EINTR { return .failure(Errno(code)) }
        }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        retrying { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Reads up to `buffer.count` bytes at `offset` without moving the file position.
    static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Result<Int, Errno> {
        retrying { Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Fills `buffer` from `offset`, repeating short reads; fewer bytes only at the end of the
    /// file.
    static func preadAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Result<Int, Errno> {
        var done = 0
        while done < buffer.count {
            switch pread(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + UInt64(done)) {
            case .success(0): return .success(done)
            case .success(let count): done += count
            case .failure(let error): return .failure(error)
            }
        }
        return .success(done)
    }

    /// Writes all of `buffer`, repeating short writes.
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Result<Void, Errno> {
        var done = 0
        while done < buffer.count {
            switch retrying({ Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }) {
            case .success(let count): done += count
            case .failure(let error): return .failure(error)
            }
        }
        return .success(())
    }

    /// `fstat`.
    static func fstat(_ fd: Int32) -> Result<stat, Errno> {
        var info = stat()
        return retrying { Glibc.fstat(fd, &info) }.map { _ in info }
    }
}

/// A system error number.
package struct Errno: Error, Equatable {
    /// The raw `errno` value.
    package var code: Int32
    package init(_ code: Int32) { self.code = code }
}
