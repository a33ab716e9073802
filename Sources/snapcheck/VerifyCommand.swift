import ArgumentParser
import SnapCheck

/// `snapcheck verify MANIFEST TARGET`: prove a backup against a manifest.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify TARGET byte-for-byte against MANIFEST and say plainly what is missing or damaged.",
        discussion: """
            Exit status: 0 verified, 1 findings that count (missing, extra, content, type, \
            symlink, unreadable; metadata only with --metadata strict), 2 could not verify (bad \
            manifest, target missing or not a directory, usage). Never writes to TARGET.
            """
    )

    @Argument(help: "The manifest (plain or gzip; - for stdin).")
    var manifest: String

    @Argument(help: "The directory to verify (the backup, or the restored copy).")
    var target: String

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var pin: SnapshotPin

    @OptionGroup var state: StateOptions

    func run() throws {
        var options = reporting.verifyOptions
        options.expectedSnapshot = pin.expected
        let rolling = try state.rolling()
        try reporting.report(
            title: "manifest \(Formatting.argument(manifest)), target \(Formatting.argument(target))",
            command: "verify", manifest: manifest, target: target
        ) { progress, finding in
            let targetPath = argumentPath(target)
            guard let rolling else {
                if manifest == "-" {
                    let reader = try ManifestReader(descriptor: .standardInput, expectedSnapshot: options.expectedSnapshot)
                    return try Verifier.verify(reading: reader, target: targetPath, options: options, finding: finding, progress: progress)
                }
                return try Verifier.verify(manifest: argumentPath(manifest), target: targetPath, options: options, finding: finding, progress: progress)
            }
            guard manifest != "-" else {
                throw SnapCheckError(.invalidArgument, "--state needs the manifest as a file, not on standard input")
            }
            // Every chunk this verification proved is recorded, for later rolling spot-checks.
            let outcome = try Verifier.verify(
                manifest: argumentPath(manifest), target: absolutePath(targetPath), options: options, recording: rolling,
                finding: finding, progress: progress)
            try state.save(outcome.state, discarded: outcome.stateDiscarded)
            return outcome.report
        }
    }
}
