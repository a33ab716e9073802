import ArgumentParser
import SnapCheck

/// `snapcheck compare SOURCE TARGET`: verify a copy against its source, no manifest stored.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Verify TARGET byte-for-byte against SOURCE directly (the manifest of SOURCE is built on the fly, never written).",
        discussion: """
            The same report, options and exit status as verify. Reads both trees; writes to \
            neither.
            """
    )

    @Argument(help: "The original tree.")
    var source: String

    @Argument(help: "The copy to verify.")
    var target: String

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var chunking: ChunkingOptions

    func run() throws {
        let parameters = try chunking.parameters()
        try reporting.report(
            title: "source \(Formatting.argument(source)), target \(Formatting.argument(target))",
            command: "compare", manifest: nil, target: target
        ) { progress, finding in
            try Verifier.compare(
                source: argumentPath(source), target: argumentPath(target), options: reporting.verifyOptions, chunking: parameters,
                finding: finding, progress: progress, sourceProblem: { Output.error("source: " + $0.description) })
        }
    }
}
