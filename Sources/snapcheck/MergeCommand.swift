import ArgumentParser
import SnapCheck
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// `snapcheck merge REPORT...`: the shards of a check put back together.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the N shards of a check (verify … --shard K/N) or of a manifest (manifest … --shard K/N).",
        discussion: """
            Shard reports: give every shard's report (the JSON Lines each shard printed), in \
            any order. The merged report is the one a single run of the same check prints: the \
            same findings in the same order, the same coverage, text or --json, and exit status \
            (0 verified, 1 findings that count).

            Manifest parts: give every part and -o MANIFEST. The merged manifest is the one a \
            single run writes (the same snapshot id, printed last on stdout).

            A missing shard, a shard given twice, or shards of other manifests, shard counts, \
            settings or chunking are refused (exit 2).
            """
    )

    @Argument(help: "The shards' reports.")
    var reports: [String]

    @Flag(help: "Print JSON Lines, as the check's --json does.")
    var json = false

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Manifest parts: write the manifest to FILE (gzip when it ends in .gz). Shard reports: write the report to FILE as well.",
        valueName: "file"))
    var output: String?

    /// Shard reports: the verdict is recorded as the check itself would record it.
    @OptionGroup var records: RunRecordOptions

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give the shards' reports") }
    }

    func run() throws {
        if try Self.isManifest(reports[0]) {
            guard let output else { throw SnapCheckError(.invalidArgument, "merging manifest parts needs -o MANIFEST") }
            guard !json, records.isEmpty else {
                throw SnapCheckError(.invalidArgument, "--json, --metrics and --history are for shard reports, not manifest parts")
            }
            let summary = try ManifestMerge.merge(parts: reports.map(argumentPath), to: argumentPath(output))
            Output.line(summary.snapshotID.description)
            return
        }
        var files: [ShardReportFile] = []
        for path in reports { files.append(try ShardReportFile(path: path)) }
        let settings = files[0].settings
        let byDirectory = settings["by_dir"].flatMap { Int($0) }
        let (findings, report) = try ShardMerge.merge(files.map(\.report), directoryDepth: byDirectory ?? 1)
        var arguments = json ? ["--json"] : []
        if let output { arguments += ["--output", output] }
        if let byDirectory { arguments += ["--by-dir", String(byDirectory)] }
        arguments.append("--no-progress")
        var reporting = try ReportOptions.parse(arguments)
        reporting.records = records
        let replay = { (_: ((VerificationProgress) -> Void)?, finding: (Finding) -> Void) -> VerificationReport in
            for each in findings { finding(each) }
            return report
        }
        guard settings["command"] == "spot-check" else {
            try reporting.report(
                title: files[0].title, command: settings["command"] ?? "verify", manifest: files[0].manifest, target: files[0].target, run: replay)
            return
        }
        let result = try Self.spotCheck(files, report)
        let readBytes = files.compactMap(\.processReadBytes).reduce(0, +)
        try reporting.report(
            title: files[0].title, command: "spot-check", manifest: files[0].manifest, target: files[0].target,
            verdict: { _ in SpotCheckCommand.verdict(result) }, coverage: { _ in SpotCheckCommand.statement(result) },
            run: { progress, finding in
                _ = replay(progress, finding)
                return result.report
            },
            summaryExtra: { JSONLines.spotCheckFields(result)($0).field("process_read_bytes", readBytes) })
    }

    /// The spot-check of the whole manifest: the shards' shares of one sample added up.
    private static func spotCheck(_ files: [ShardReportFile], _ merged: VerificationReport) throws -> SpotCheck.Result {
        let shares = files.compactMap(\.spotCheck)
        guard shares.count == files.count, let first = shares.first,
              shares.allSatisfy({ $0.seed == first.seed && $0.totalChunks == first.totalChunks }) else {
            throw SnapCheckError(.invalidArgument, "the spot-check shards did not draw from one sample (another seed or manifest)")
        }
        let sampled = shares.reduce(0) { $0 + $1.sampledChunks }
        var report = merged
        report.sampled = true
        report.complete = sampled == first.totalChunks
        return SpotCheck.Result(
            report: report, seed: first.seed, totalChunks: first.totalChunks, sampledChunks: sampled,
            sampledBytes: shares.reduce(0) { $0 + $1.sampledBytes }, matchedChunks: shares.reduce(0) { $0 + $1.matchedChunks })
    }

    /// Whether `path` holds a manifest (plain or gzip) rather than a shard report.
    private static func isManifest(_ path: String) throws -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SnapCheckError(.io, "cannot read", path: FilePath(path), errno: errno) }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 19)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 2 else { return false }
        return head.starts(with: [0x1F, 0x8B]) || head[..<count].starts(with: Array("snapcheck-manifest ".utf8))
    }
}
