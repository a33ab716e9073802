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
