import Foundation

/// Runs the built `snapcheck` binary the way a user or a script would.
///
/// stdout and stderr go to temporary files, not pipes, so a child that writes a lot can never
/// block on a full pipe while the test waits for it to exit.
struct CLIRunner {
    /// What one run produced.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stderr's lines.
        var errorLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// The `snapcheck` binary built next to the test bundle.
    static let binary: String = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("snapcheck").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("snapcheck").path
    }()

    /// Runs `snapcheck ARGUMENTS`; with `asUser`, under that uid/gid through `setpriv` (CI runs
    /// as root, whom file permissions do not stop); with `input`, that file on stdin; with
    /// `environment`, these variables added to the test's own.
    static func run(
        _ arguments: [String], asUser uid: Int? = nil, input: String? = nil, environment: [String: String] = [:],
        timeout: TimeInterval = 120
    ) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("snapcheck-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        if let uid {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw CLIRunnerError.timedOut(arguments)
            }
            usleep(5_000)
        }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}

enum CLIRunnerError: Error {
    case timedOut([String])
}

/// Temporary directories for CLI tests.
enum Scratch {
    /// A fresh directory that others (uid 65534) may enter.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snapcheck-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}
