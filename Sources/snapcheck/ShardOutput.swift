import ArgumentParser
import SnapCheck

/// Prints one shard's report as JSON Lines for `snapcheck merge`: the findings in order, a
/// `part` line for each file the shard cut passes through, a `directory` line per directory
/// tally, and the summary, stamped with the shard, the manifest's snapshot id and the settings
/// that change a result.
enum ShardOutput {
    /// What a shard's check gives: its range, its totals, and the fields its command adds to
    /// the summary (a spot-check's sample).
    struct Checked {
        var range: ShardRange
        var report: VerificationReport
        var summaryExtra: (JSONObject) -> JSONObject = { $0 }
    }

    /// Runs one shard's check and prints its report; exits 1 when it found something that
    /// counts (a damaged part included).
    static func run(
        reporting: ReportOptions, command: String, title: String, manifest: String?, target: String,
        settings extra: [String: String] = [:],
        check: (_ progress: ((VerificationProgress) -> Void)?, _ finding: @escaping (Finding) -> Void,
                _ part: @escaping (ShardPart) -> Void) throws -> Checked
    ) throws {
        guard reporting.records.isEmpty else {
            throw SnapCheckError(.invalidArgument, "--metrics and --history are for the verdict: give them to snapcheck merge")
        }
        let output = try ReportOutput(copyTo: reporting.outputFile)
        let progressLine = ProgressLine.enabled(reporting.progress) ? ProgressLine() : nil
        var damagedParts = 0
        let checked = try check(
            progressLine.map { line in { line.update(files: $0.checkedFiles, bytes: $0.readBytes, totalBytes: nil) } },
            { output.line(JSONLines.finding($0)) },
            { part in
                if !part.intact { damagedParts += 1 }
                output.line(partLine(part))
            })
        progressLine?.finish()
        let (range, report) = (checked.range, checked.report)
        for directory in report.directories { output.line(JSONLines.directory(directory)) }
        var settings = reporting.shardSettings(command: command)
        settings.merge(extra) { $1 }
        output.line(JSONLines.summary(report) { object in
            checked.summaryExtra(object)
                .field("shard", range.shard.description).field("title", title)
                .fields(manifest.map { [("manifest", JSONObject.quote($0))] }).field("target", target)
                .field("settings", raw: settings.sorted { $0.key < $1.key }.reduce(JSONObject()) { $0.field($1.key, $1.value) }.text)
                .fields(range.start.map { [("shard_start", JSONObject.quote($0.text))] })
                .fields(range.end.map { [("shard_end", JSONObject.quote($0.text))] })
                .field("shard_bytes", range.bytes)
        })
        try output.finish()
        if report.hasCountedFindings || damagedParts > 0 { throw ExitCode(1) }
    }

    /// `{"type":"part","path":…,"first_chunk":…,"end_chunk":…,…,"findings":[…]}`.
    static func partLine(_ part: ShardPart) -> String {
        JSONObject()
            .field("type", "part").field("path", PathEscaping.escape(part.path))
            .field("first_chunk", part.chunks.lowerBound).field("end_chunk", part.chunks.upperBound)
            .field("chunk_count", part.chunkCount).field("size", part.size).field("intact", part.intact)
            .field("findings", raw: "[" + part.findings.map(JSONLines.finding).joined(separator: ",") + "]")
            .text
    }
}

extension ReportOptions {
    /// The options that change a shard's result, as its report records them: shards run with
    /// different ones are not merged.
    func shardSettings(command: String) -> [String: String] {
        [
            "command": command, "metadata": metadata.rawValue, "allow_extra": String(allowExtra),
            "exclude": excludes.map(JSONObject.quote).joined(separator: ","),
            "by_dir": byDirectory.map(String.init) ?? "",
        ]
    }
}
