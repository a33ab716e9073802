import ArgumentParser
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// Runs the CLI and maps every outcome onto the contract's exit codes.
///
/// swift-argument-parser exits 64 on a usage error and 1 on any thrown error; the contract
/// (README, "Exit status") wants 0 for success, 1 for findings that count, and 2 with one line
/// on stderr for anything that kept the command from running, including no command at all and
/// output that could not be written.
enum CommandLineTool {
    static func run(_ arguments: [String]) -> Never {
        OpenFileLimit.raiseToHardLimit()
        // A closed pipe must be a write error (exit 2, one line), not a silent death by signal.
        signal(SIGPIPE, SIG_IGN)
        guard !arguments.isEmpty else {
            // `snapcheck $COMMAND` with an empty variable must not read as success in a hook.
            Output.block(SnapCheckCommand.helpMessage())
            finish(failing: "no command given (see above)")
        }
        do {
            var command = try SnapCheckCommand.parseAsRoot(arguments)
            try command.run()
            finish(status: 0)
        } catch let code as ExitCode {
            finish(status: code.rawValue)
        } catch {
            if SnapCheckCommand.exitCode(for: error) == .success {
                // --help and --version are "errors" that carry the text to print.
                Output.line(SnapCheckCommand.fullMessage(for: error))
                finish(status: 0)
            }
            if let error = error as? SnapCheckError {
                finish(failing: error.description)
            }
            finish(failing: SnapCheckCommand.message(for: error))
        }
    }

    /// Flushes stdout and exits with `status`, or with 2 when stdout could not be written.
    private static func finish(status: Int32) -> Never {
        do {
            try Output.flush()
        } catch {
            finish(failing: error.description)
        }
        exit(status)
    }

    /// Flushes what stdout holds, prints `message` as the one line on stderr and exits 2.
    private static func finish(failing message: String) -> Never {
        try? Output.flush()
        Output.error(message)
        exit(2)
    }
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
        subcommands: [ManifestCommand.self, VerifyCommand.self, CompareCommand.self, SpotCheckCommand.self, DiffCommand.self, ShowCommand.self, ChunkCommand.self, HistoryCommand.self, MergeCommand.self]
    )
}
