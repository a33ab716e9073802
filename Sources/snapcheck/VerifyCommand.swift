import ArgumentParser
import SnapCheck

/// `snapcheck verify MANIFEST TARGET`: prove a backup against a manifest.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify TARGET byte-for-byte against MANIFEST and say plainly what is missing or damaged.",
        discussion: """
            TARGET is a directory, or an archive file (tar, tar.gz, tar.zst, tar.xz, tar.bz2, \
            zip, cpio, …: the format is found from the bytes), or - for an archive on stdin \
            (borg export-tar REPO::ARCHIVE - | snapcheck verify M -). An archive is read once, \
            never extracted; a damaged one is a finding (exit 1).

            Exit status: 0 verified, 1 findings that count (missing, extra, content, type, \
            symlink, unreadable; metadata only with --metadata strict), 2 could not verify (bad \
            manifest, target missing or not a directory or archive, usage). Never writes to TARGET.
            """
    )

    @Argument(help: "The manifest (plain or gzip; - for stdin when TARGET is a directory).")
    var manifest: String

    @Argument(help: "The directory or archive to verify (- for an archive on stdin).")
    var target: String

    @OptionGroup var layout: ArchiveLayoutOptions

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var pin: SnapshotPin

    @OptionGroup var state: StateOptions

    @OptionGroup var sharding: ShardOption

    func run() throws {
        var options = reporting.verifyOptions
        options.expectedSnapshot = pin.expected
        let rolling = try state.rolling()
        if let shard = try sharding.shard() {
            guard manifest != "-", rolling == nil, try ArchiveTarget(target) == nil else {
                throw SnapCheckError(.invalidArgument, "--shard needs a manifest file and a directory to verify (no --state)")
            }
            try layout.refuseForDirectory()
            try ShardOutput.run(
                reporting: reporting, command: "verify",
                title: "manifest \(Formatting.argument(manifest)), target \(Formatting.argument(target))",
                manifest: manifest, target: target
            ) { progress, finding, part in
                let (range, report) = try Verifier.verify(
                    manifest: argumentPath(manifest), target: argumentPath(target), shard: shard, options: options,
                    finding: finding, part: part, progress: progress)
                return ShardOutput.Checked(range: range, report: report)
            }
            return
        }
        try reporting.report(
            title: "manifest \(Formatting.argument(manifest)), target \(Formatting.argument(target))",
            command: "verify", manifest: manifest, target: target
        ) { progress, finding in
            if let archive = try ArchiveTarget(target) {
                guard manifest != "-" else {
                    throw SnapCheckError(.invalidArgument, "the manifest must be a file when the archive comes on stdin")
                }
                guard rolling == nil else { throw SnapCheckError(.invalidArgument, "--state is for directories, not archives") }
                return try archive.verify(
                    manifest: argumentPath(manifest), layout: layout.layout, options: options, finding: finding, progress: progress)
            }
            try layout.refuseForDirectory()
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
