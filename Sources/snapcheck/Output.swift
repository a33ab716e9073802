import SnapCheck
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where the CLI writes: stdout through a buffer, stderr one whole line at a time.
///
/// A failed write to stdout (a full disk, a closed pipe) is remembered: ``flush()`` throws it,
/// so the command exits 2 instead of 0 with a truncated report.
enum Output {
    private struct State {
        var buffer: [UInt8] = []
        /// The errno of the first failed write to stdout; later output is dropped.
        var failure: Int32?
    }

    private static let state = Mutex(State())

    /// Writes a line to stdout (buffered; ``flush()`` runs before exit).
    static func line(_ text: String) {
        state.withLock { state in
            state.buffer.append(contentsOf: text.utf8)
            state.buffer.append(0x0A)
            if state.buffer.count >= 1 << 16 { write(&state) }
        }
    }

    /// Writes `snapcheck: MESSAGE` to stderr, as a single line.
    static func error(_ message: String) {
        note("snapcheck: " + message)
    }

    /// Writes a line to stderr; line breaks inside `text` become spaces and any other control
    /// character its `\xHH` escape, so nothing (a file name given on the command line, say)
    /// can put terminal escape sequences on an operator's screen. (A failure here has nowhere
    /// to be reported.)
    static func note(_ text: String) {
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        var safe = ""
        for scalar in single.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                safe += String(scalar).utf8.map { "\\x" + ($0 < 0x10 ? "0" : "") + String($0, radix: 16) }.joined()
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        _ = Array((safe + "\n").utf8).withUnsafeBytes { Syscall.writeAll(STDERR_FILENO, $0) }
    }

    /// Writes several lines to stderr as they are (help text).
    static func block(_ text: String) {
        _ = Array((text.hasSuffix("\n") ? text : text + "\n").utf8).withUnsafeBytes { Syscall.writeAll(STDERR_FILENO, $0) }
    }

    /// Writes buffered stdout to the system.
    ///
    /// - Throws: ``SnapCheckError`` when any write to stdout failed, now or earlier.
    static func flush() throws(SnapCheckError) {
        let failure = state.withLock { state in
            write(&state)
            return state.failure
        }
        if let failure {
            throw SnapCheckError(.io, "cannot write the output", path: "standard output", errno: failure)
        }
    }

    private static func write(_ state: inout State) {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard state.failure == nil, !state.buffer.isEmpty else { return }
        if case .failure(let error) = state.buffer.withUnsafeBytes({ Syscall.writeAll(STDOUT_FILENO, $0) }) {
            state.failure = error.code
        }
    }
}
