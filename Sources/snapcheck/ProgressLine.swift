#if canImport(Glibc)
import Glibc
#endif

/// One updating line on stderr: files, bytes, rate and, once the total is known, an ETA.
///
/// Shown when stderr is a terminal, or when asked for with `--progress`; never otherwise.
final class ProgressLine {
    private let start = Clock.now()
    private var lastDraw = 0.0
    private var drawn = false

    /// Whether to show progress, from the --progress / --no-progress flags.
    static func enabled(_ choice: Bool?) -> Bool {
        choice ?? (isatty(STDERR_FILENO) == 1)
    }

    /// Redraws the line, at most ten times a second.
    func update(files: Int, bytes: UInt64, totalBytes: UInt64?) {
        let now = Clock.now()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let elapsed = now - start
        var text = "\(Formatting.count(files)) files  \(Formatting.bytes(bytes))  \(Formatting.rate(bytes: bytes, seconds: elapsed))"
        if let totalBytes, totalBytes > 0, bytes > 0 {
            let percent = min(100, Double(bytes) * 100 / Double(totalBytes))
            let remaining = elapsed * Double(totalBytes > bytes ? totalBytes - bytes : 0) / Double(bytes)
            text += "  \(Formatting.decimal(percent, places: 1))%  ETA \(Formatting.duration(remaining))"
        }
        write("\r\u{1B}[K" + text)
        drawn = true
    }

    /// Erases the line.
    func finish() {
        if drawn { write("\r\u{1B}[K") }
        drawn = false
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
