#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

extension FilePath {
    /// The path made of exactly these bytes (a name need not be UTF-8).
    ///
    /// - Precondition: no byte is 0.
    init(bytes: [UInt8]) {
        self = (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { FilePath(platformString: $0.baseAddress!) }
        }
    }

    /// The path's bytes, as the system sees them.
    var bytes: [UInt8] {
        withPlatformString { pointer in
            Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)).bindMemory(to: UInt8.self))
        }
    }

    /// The path in the escaped, printable form of ``PathEscaping``.
    var display: String { PathEscaping.escape(bytes) }
}

/// What an error names: a path (shown escaped, kept raw) or something that has only a label
/// (`<stdin>`, `<stdout>`, a descriptor).
struct PathLabel: Sendable {
    /// The printable form.
    let display: String
    /// The path, when there is one.
    let filePath: FilePath?

    /// A label for `path`.
    init(_ path: FilePath) {
        display = path.display
        filePath = path
    }

    /// A label for the path made of `bytes` (a path inside a tree, say).
    init(bytes: [UInt8]) {
        display = PathEscaping.escape(bytes)
        filePath = FilePath(bytes: bytes)
    }

    /// A label for an open descriptor that has no path: `<stdin>`, `<stdout>`, `<descriptor 7>`.
    init(descriptor: FileDescriptor) {
        switch descriptor {
        case .standardInput: self.init(describing: "<stdin>")
        case .standardOutput: self.init(describing: "<stdout>")
        default: self.init(describing: "<descriptor \(descriptor.rawValue)>")
        }
    }

    /// A label with no path behind it.
    init(describing display: String) {
        self.display = display
        filePath = nil
    }
}
