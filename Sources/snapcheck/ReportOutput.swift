import SystemPackage
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// Where a report goes: stdout and, with `--output FILE`, that file as well.
///
/// A failed write to the file is remembered and thrown by ``finish()``, which also makes sure
/// the file reached the disk, so a report cut short by a full disk is never followed by exit 0.
final class ReportOutput {
    private let descriptor: Int32?
    private let path: String?
    private var pending: [UInt8] = []
    private var failure: Int32?

    /// Opens the copy file first, so a bad path fails before any work is done.
    init(copyTo path: String?) throws {
        self.path = path
        guard let path else {
            descriptor = nil
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0o666)
        guard fd >= 0 else { throw SnapCheckError(.io, "cannot write the report", path: FilePath(path), errno: errno) }
        descriptor = fd
    }

    deinit { if let descriptor { close(descriptor) } }

    /// Writes one line to both places.
    func line(_ text: String) {
        Output.line(text)
        guard descriptor != nil else { return }
        pending.append(contentsOf: text.utf8)
        pending.append(0x0A)
        if pending.count >= 1 << 16 { flush() }
    }

    /// Pushes the copy to its file, checks that every write reached it, and flushes stdout.
    ///
    /// - Throws: ``SnapCheckError`` when the file or stdout could not be written.
    func finish() throws(SnapCheckError) {
        flush()
        if let descriptor, failure == nil {
            // A regular file's delayed write errors (ENOSPC, EIO) show up here; a pipe or a
            // terminal cannot be synced, which is no error.
            if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS { failure = errno }
        }
        if let failure, let path {
            throw SnapCheckError(.io, "cannot write the report", path: FilePath(path), errno: failure)
        }
        try Output.flush()
    }

    private func flush() {
        defer { pending.removeAll(keepingCapacity: true) }
        guard let descriptor, failure == nil, !pending.isEmpty else { return }
        if case .failure(let error) = pending.withUnsafeBytes({ Syscall.writeAll(descriptor, $0) }) {
            failure = error.code
        }
    }
}

/// Options and output shared by `verify`, `compare` and `spot-check`.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Print JSON Lines: one finding per line, the last line a summary.")
    var json = false

    @Option(name: .customLong("output"), help: "Write the report to FILE as well.")
    var outputFile: String?

    @Option(help: "Metadata (mode, mtime): warn (default), strict (counts) or ignore.")
    var metadata: VerifyOptions.MetadataPolicy = .warn

    @Flag(help: "Extra entries in the target do not count (a backup folder that keeps older files).")
    var allowExtra = false

    @Option(name: .customLong("exclude"), help: "Leave out target entries matching GLOB (repeatable), as for manifest.")
    var excludes: [String] = []

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int?

    @OptionGroup var records: RunRecordOptions

    @Option(name: .customLong("by-dir"), help: ArgumentHelp(
        "Report findings and proven files for the directories at depth N (JSON: one line each). Text shows depth 1 when there are findings.",
        valueName: "n"))
    var byDirectory: Int?

    @Flag(inversion: .prefixedNo, help: "Show progress on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be between 1 and 256")
        }
        if let byDirectory, !(1...64).contains(byDirectory) {
            throw ValidationError("--by-dir must be between 1 and 64")
        }
    }

    /// The library's options.
    var verifyOptions: VerifyOptions {
        var options = VerifyOptions(metadata: metadata, allowExtra: allowExtra, walk: WalkOptions(excludes: excludes), threads: threads)
        options.directoryDepth = byDirectory ?? 1
        return options
    }

    /// Runs a verification and reports it: findings stream as JSON Lines, or a text report is
    /// printed at the end. Exits 1 when findings count.
    func report(
        title: String, command: String, manifest: String?, target: String,
        verdict: ((VerificationReport) -> String?)? = nil, coverage: ((VerificationReport) -> [String])? = nil,
        rollingCoverage: @escaping () -> SpotCheck.Coverage? = { nil },
        run: (_ progress: ((VerificationProgress) -> Void)?, _ finding: @escaping (Finding) -> Void) throws -> VerificationReport,
        summaryExtra: (JSONObject) -> JSONObject = { $0 }
    ) throws {
        let output = try ReportOutput(copyTo: outputFile)
        let started = (monotonic: Clock.now(), wall: Clock.wallTime())
        let progressLine = ProgressLine.enabled(progress) ? ProgressLine() : nil
        var text = TextReport()
        let json = self.json
        let report = try run(
            progressLine.map { line in { line.update(files: $0.checkedFiles, bytes: $0.readBytes, totalBytes: command == "spot-check" ? nil : $0.expectedBytes) } },
            { finding in
                if json {
                    output.line(JSONLines.finding(finding))
                } else {
                    text.add(finding)
                }
            })
        progressLine?.finish()
        if json {
            if byDirectory != nil {
                for directory in report.directories { output.line(JSONLines.directory(directory)) }
            }
            output.line(JSONLines.summary(report, extra: summaryExtra))
        } else {
            var lines = text.lines(report, title: title)
            if let special = verdict?(report) { lines[0] = special }
            if byDirectory != nil || report.hasCountedFindings {
                // Before the closing coverage line, which stays last.
                lines.insert(contentsOf: TextReport.directoryLines(report.directories), at: lines.count - 1)
            }
            if let coverage { lines += coverage(report) }
            for line in lines { output.line(line) }
        }
        try output.finish()
        if let metricsFile = records.metricsFile {
            var metrics = MetricsFile(path: metricsFile, job: records.job)
            let wall = started.wall + (Clock.now() - started.monotonic)
            metrics.add(report: report, startedAt: started.wall, finishedAt: wall, coverage: rollingCoverage())
            try metrics.write()
        }
        if let historyFile = records.historyFile {
            let wall = started.wall + (Clock.now() - started.monotonic)
            try HistoryFile.append(HistoryFile.line(
                summary: JSONLines.summary(report, extra: summaryExtra), time: wall, job: records.job, command: command,
                manifest: manifest, target: target), to: historyFile)
        }
        if report.hasCountedFindings { throw ExitCode(1) }
    }
}

/// `--metrics`, `--history` and `--job`: where a run's outcome is recorded, besides its report
/// (by `verify`, `compare`, `spot-check`, and by `merge` for the verdict of shards).
struct RunRecordOptions: ParsableArguments {
    @Option(name: .customLong("metrics"), help: ArgumentHelp(
        "Write the outcome to FILE in the Prometheus text format (node_exporter's textfile collector), atomically.",
        valueName: "file"))
    var metricsFile: String?

    @Option(help: "The job label of --metrics and --history (default: snapcheck); one metrics file per job.")
    var job = "snapcheck"

    @Option(name: .customLong("history"), help: ArgumentHelp(
        "Append this run's summary to FILE as one JSON line (snapcheck history FILE shows them).", valueName: "file"))
    var historyFile: String?

    /// Whether anything is to be recorded.
    var isEmpty: Bool { metricsFile == nil && historyFile == nil }
}

extension VerifyOptions.MetadataPolicy: ExpressibleByArgument {}

import ArgumentParser
