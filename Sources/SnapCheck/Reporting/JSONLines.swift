/// The JSON Lines that `snapcheck … --json` prints, one object per line, for a program that
/// wants to write exactly what the command-line tool writes (the same fields, in the same
/// order; the command-line tool adds a few of its own, such as `process_read_bytes`).
///
/// Each function returns one line without its newline. A verification prints a
/// ``finding(_:)`` line per finding, then (with directory tallies) a ``directory(_:)`` line per
/// directory, then one `summary(_:)` line; a diff prints a ``change(_:)`` line per
/// change, then `summary(_:)`. Paths are in the escaped form of ``PathEscaping``.
///
/// ```swift
/// let report = try Verifier.verify(manifest: "finance.manifest", target: "/restore/finance") { finding in
///     print(JSONLines.finding(finding))
/// }
/// print(JSONLines.summary(report))
/// ```
public enum JSONLines {
    /// One finding: `{"type":"finding","kind":…,"path":…,…}`.
    public static func finding(_ finding: Finding) -> String {
        var object = JSONObject()
            .field("type", "finding").field("kind", finding.kind.rawValue)
            .field("path", finding.displayPath).field("counts", finding.counts)
        if let kind = finding.expectedKind { object = object.field("expected_type", kind.rawValue) }
        if let kind = finding.actualKind { object = object.field("actual_type", kind.rawValue) }
        object = object.field("bytes", finding.bytes)
        if finding.kind == .content {
            let ranges = finding.ranges.map { "[\($0.offset),\($0.length)]" }.joined(separator: ",")
            object = object.field("ranges", raw: "[" + ranges + "]").field("size_change", finding.sizeChange)
        }
        if !finding.detail.isEmpty { object = object.field("detail", finding.detail) }
        if finding.sampled { object = object.field("sampled", true) }
        return object.text
    }

    /// One directory's tally: `{"type":"directory","path":…,"expected_files":…,…}`.
    public static func directory(_ directory: DirectoryCoverage) -> String {
        var kinds = JSONObject()
        for kind in Finding.Kind.allCases { kinds = kinds.field(kind.rawValue, directory.findings[kind] ?? 0) }
        return JSONObject()
            .field("type", "directory").field("path", directory.displayPath)
            .field("expected_files", directory.expectedFiles).field("expected_bytes", directory.expectedBytes)
            .field("intact_files", directory.intactFiles).field("intact_bytes", directory.intactBytes)
            .field("findings", raw: kinds.text)
            .fields(directory.window.map { [("window_proven_chunks", String($0.provenChunks)), ("window_chunks", String($0.chunks))] })
            .text
    }

    /// A verification's last line: `{"type":"summary","verified":…,…}`.
    public static func summary(_ report: VerificationReport) -> String {
        summary(report, extra: { $0 })
    }

    /// A spot-check's last line: the verification summary with `spot_check`, `verdict` and
    /// `seed`.
    public static func summary(_ result: SpotCheck.Result) -> String {
        summary(result.report, extra: spotCheckFields(result))
    }

    /// The fields a spot-check adds to its summary: the sample, the odds of catching damage,
    /// and for a rolling spot-check the coverage within the window.
    package static func spotCheckFields(_ result: SpotCheck.Result) -> (JSONObject) -> JSONObject {
        { object in
            object.field("spot_check", true).field("verdict", result.verdict.rawValue).field("seed", result.seed)
                .field("total_chunks", result.totalChunks).field("sampled_chunks", result.sampledChunks)
                .field("sampled_bytes", result.sampledBytes).field("matched_chunks", result.matchedChunks)
                .field("single_chunk_detection_probability", result.singleChunkDetectionProbability, places: 9)
                .field("detection_probability_at_0.1%", result.detectionProbability(damagedFraction: 0.001), places: 9)
                .field("detection_probability_at_1%", result.detectionProbability(damagedFraction: 0.01), places: 9)
                .fields(result.coverage.map(coverageFields))
        }
    }

    /// A rolling spot-check's coverage, as summary fields.
    private static func coverageFields(_ coverage: SpotCheck.Coverage) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("rolling_proven_chunks", String(coverage.provenChunks)), ("rolling_total_chunks", String(coverage.totalChunks)),
            ("rolling_proven_bytes", String(coverage.provenBytes)), ("rolling_total_bytes", String(coverage.totalBytes)),
            ("rolling_chunk_coverage", JSONObject.decimal(coverage.chunkShare, places: 6)),
            ("rolling_byte_coverage", JSONObject.decimal(coverage.byteShare, places: 6)),
            ("window_seconds", String(coverage.window)),
        ]
        if let runs = coverage.runsToFullCoverage { fields.append(("runs_to_full_coverage", String(runs))) }
        if let oldest = coverage.oldestProof { fields.append(("oldest_proof", String(oldest))) }
        if let expires = coverage.oldestProofExpires { fields.append(("oldest_proof_expires", String(expires))) }
        return fields
    }

    /// A verification summary, with fields added by `extra` at the end.
    package static func summary(_ report: VerificationReport, extra: (JSONObject) -> JSONObject) -> String {
        var object = JSONObject()
            .field("type", "summary").field("verified", report.verified)
            .field("sampled", report.sampled).field("complete", report.complete)
        if let id = report.snapshotID { object = object.field("snapshot", id.description) }
        object = object
            .field("expected_entries", report.expectedEntries).field("expected_files", report.expectedFiles)
            .field("expected_bytes", report.expectedBytes).field("intact_files", report.intactFiles)
            .field("intact_bytes", report.intactBytes)
            .field("file_coverage", report.fileCoverage, places: 6)
            .field("byte_coverage", report.byteCoverage, places: 6)
            .field("counted", report.counted).field("warnings", report.warnings)
        var kinds = JSONObject()
        for kind in Finding.Kind.allCases {
            let tally = report.byKind[kind] ?? VerificationReport.Tally()
            var counts = JSONObject().field("count", tally.count).field("bytes", tally.bytes)
            if kind == .content {
                counts = counts.field("differing_bytes", tally.differingBytes).field("differing_chunks", tally.differingChunks)
            }
            kinds = kinds.field(kind.rawValue, raw: counts.text)
        }
        return extra(object.field("findings", raw: kinds.text)).text
    }

    /// One difference between two manifests: `{"type":"change","kind":…,"path":…,…}`.
    public static func change(_ change: ManifestDiff.Change) -> String {
        var object = JSONObject().field("type", "change").field("kind", change.kind.rawValue)
            .field("path", change.displayPath)
        if let from = change.oldPath { object = object.field("from", PathEscaping.escape(from)) }
        object = object.field("entry_type", change.entryKind.rawValue).field("size", change.size)
        if change.kind == .modified {
            object = object.field("changed_chunks", change.changedChunks).field("total_chunks", change.totalChunks)
                .field("changed_bytes", change.changedBytes)
        }
        if !change.detail.isEmpty { object = object.field("detail", change.detail) }
        return object.text
    }

    /// A diff's last line: `{"type":"summary","identical":…,…}`.
    public static func summary(_ diff: ManifestDiff.Summary) -> String {
        var counts = JSONObject()
        for kind in ManifestDiff.Change.Kind.allCases { counts = counts.field(kind.rawValue, diff.counts[kind] ?? 0) }
        return JSONObject()
            .field("type", "summary").field("identical", diff.identical)
            .field("old_snapshot", diff.oldSnapshot.description).field("new_snapshot", diff.newSnapshot.description)
            .field("changes", raw: counts.text)
            .field("bytes_added", diff.bytesAdded).field("bytes_removed", diff.bytesRemoved)
            .field("new_bytes", diff.newBytes).field("shared_bytes", diff.sharedBytes)
            .field("shared_is_estimate", diff.sharedIsEstimate).field("different_chunking", diff.differentChunking).text
    }
}
