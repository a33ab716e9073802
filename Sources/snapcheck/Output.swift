import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where the CLI writes: stdout through a buffer, stderr one whole line at a time.
enum Output {
    private static let pending = Mutex<[UInt8]>([])

    /// Writes a line to stdout (buffered; ``flush()`` runs before exit).
    static func line(_ text: String) {
        pending.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 {
                write(buffer, to: STDOUT_FILENO)
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Writes `snapcheck: MESSAGE` to stderr, as a single line.
    static func error(_ message: String) {
        note("snapcheck: " + message)
    }

    /// Writes a line to stderr; line breaks inside `text` become spaces.
    static func note(_ text: String) {
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        write(Array((single + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes buffered stdout to the system.
    static func flush() {
        pending.withLock { buffer in
            write(buffer, to: STDOUT_FILENO)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                done += count
            }
        }
    }
}
