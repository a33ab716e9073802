import ArgumentParser
import SnapCheck

/// `snapcheck merge REPORT...`: the shards of a check put back together.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the reports of the N shards of a check (verify … --shard K/N) into the report one run would give.",
        discussion: """
            Give every shard's report (the JSON Lines each shard printed), in any order. The \
            merged report is the one a single run of the same check prints: the same findings \
            in the same order, the same coverage, text or --json, and exit status (0 verified, \
            1 findings that count). A missing shard, a shard given twice, or reports of other \
            manifests, shard counts or settings are refused (exit 2).
            """
    )

    @Argument(help: "The shards' reports.")
    var reports: [String]

    @Flag(help: "Print JSON Lines, as the check's --json does.")
    var json = false

    @Option(name: .customLong("output"), help: "Write the report to FILE as well.")
    var outputFile: String?

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give the shards' reports") }
    }

    func run() throws {
        var files: [ShardReportFile] = []
        for path in reports { files.append(try ShardReportFile(path: path)) }
        let settings = files[0].settings
        let byDirectory = settings["by_dir"].flatMap { Int($0) }
        let (findings, report) = try ShardMerge.merge(files.map(\.report), directoryDepth: byDirectory ?? 1)
        var arguments = json ? ["--json"] : []
        if let outputFile { arguments += ["--output", outputFile] }
        if let byDirectory { arguments += ["--by-dir", String(byDirectory)] }
        arguments.append("--no-progress")
        let reporting = try ReportOptions.parse(arguments)
        try reporting.report(
            title: files[0].title, command: settings["command"] ?? "verify", manifest: nil, target: ""
        ) { _, finding in
            for each in findings { finding(each) }
            return report
        }
    }
}
