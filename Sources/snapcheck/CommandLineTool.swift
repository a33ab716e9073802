import ArgumentParser
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// Runs the CLI and maps every outcome onto the contract's exit codes.
///
/// swift-argument-parser exits 64 on a usage error and 1 on any thrown error; the contract
/// (design/contract.md) wants 0 for success, 1 for findings that count, and 2 with one line on
/// stderr for anything that kept the command from running.
enum CommandLineTool {
    static func run(_ arguments: [String]) -> Never {
        raiseOpenFileLimit()
        do {
            var command = try SnapCheckCommand.parseAsRoot(arguments)
            try command.run()
            Output.flush()
            exit(0)
        } catch let code as ExitCode {
            Output.flush()
            exit(code.rawValue)
        } catch {
            Output.flush()
            if SnapCheckCommand.exitCode(for: error) == .success {
                // --help and --version are "errors" that carry the text to print.
                print(SnapCheckCommand.fullMessage(for: error))
                exit(0)
            }
            let message: String
            if let error = error as? SnapCheckError {
                message = error.description
            } else {
                message = SnapCheckCommand.message(for: error)
            }
            Output.error(message)
            exit(2)
        }
    }
}

/// Deep trees keep one directory open per level (files are opened relative to their
/// directory, never by a long path): allow as many open files as the hard limit does.
private func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// `snapcheck`: the root command.
struct SnapCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapcheck",
        abstract: "Prove that a backup is whole: content-addressed manifests and byte-for-byte verification.",
        discussion: """
            Exit status: 0 verified or identical, 1 findings that count, 2 could not run.
            """,
        version: "snapcheck \(SnapCheckVersion.string)",
        subcommands: [ManifestCommand.self, VerifyCommand.self, CompareCommand.self, SpotCheckCommand.self, DiffCommand.self, ShowCommand.self, ChunkCommand.self]
    )
}
