import ArgumentParser
import SnapCheck

/// `snapcheck compare SOURCE TARGET`: verify a copy against its source, no manifest stored.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Verify TARGET byte-for-byte against SOURCE directly (the manifest of SOURCE is built on the fly, never written).",
        discussion: """
            The same report, options and exit status as verify. TARGET may be an archive file \
            (tar, tar.gz, zip, … as for verify; - is not accepted here). Reads both; writes to \
            neither.
            """
    )

    @Argument(help: "The original tree.")
    var source: String

    @Argument(help: "The copy to verify: a directory or an archive file.")
    var target: String

    @OptionGroup var layout: ArchiveLayoutOptions

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var chunking: ChunkingOptions

    @OptionGroup var sharding: ShardOption

    func run() throws {
        let parameters = try chunking.parameters()
        let title = "source \(Formatting.argument(source)), target \(Formatting.argument(target))"
        if let shard = try sharding.shard() {
            guard try ArchiveTarget(target) == nil else { throw SnapCheckError(.invalidArgument, "--shard needs a directory to verify") }
            try layout.refuseForDirectory()
            try ShardOutput.run(reporting: reporting, command: "compare", title: title, manifest: nil, target: target, settings: ["chunking": "\(parameters)"]) {
                progress, finding, _ in
                let (range, report) = try Verifier.compare(
                    source: argumentPath(source), target: argumentPath(target), shard: shard, options: reporting.verifyOptions,
                    chunking: parameters, finding: finding, progress: progress,
                    sourceProblem: { Output.error("source: " + $0.description) })
                return ShardOutput.Checked(range: range, report: report)
            }
            return
        }
        try reporting.report(
            title: title,
            command: "compare", manifest: nil, target: target
        ) { progress, finding in
            switch try ArchiveTarget(target) {
            case .file(let archive)?:
                return try Verifier.compare(
                    source: argumentPath(source), archive: archive, layout: layout.layout, options: reporting.verifyOptions,
                    chunking: parameters, finding: finding, progress: progress)
            case .standardInput?:
                throw SnapCheckError(.invalidArgument, "compare reads an archive from a file, not from stdin: use verify with a manifest")
            case nil:
                try layout.refuseForDirectory()
            }
            return try Verifier.compare(
                source: argumentPath(source), target: argumentPath(target), options: reporting.verifyOptions, chunking: parameters,
                finding: finding, progress: progress, sourceProblem: { Output.error("source: " + $0.description) })
        }
    }
}
