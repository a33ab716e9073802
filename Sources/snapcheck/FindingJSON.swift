import SnapCheck

/// The JSON Lines forms of findings and of the closing summary.
enum FindingJSON {
    /// One finding: `{"type":"finding","kind":…,"path":…,…}`.
    static func line(_ finding: Finding) -> String {
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

    /// One directory: `{"type":"directory","path":…,"expected_files":…,…}`.
    static func directory(_ directory: DirectoryCoverage) -> String {
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

    /// The last line: `{"type":"summary","verified":…,…}`.
    static func summary(_ report: VerificationReport, extra: (JSONObject) -> JSONObject = { $0 }) -> String {
        var object = JSONObject()
            .field("type", "summary").field("verified", report.verified)
            .field("sampled", report.sampled).field("complete", report.complete)
        if let id = report.snapshotID { object = object.field("snapshot", id.description) }
        object = object
            .field("expected_entries", report.expectedEntries).field("expected_files", report.expectedFiles)
            .field("expected_bytes", report.expectedBytes).field("intact_files", report.intactFiles)
            .field("intact_bytes", report.intactBytes)
            .field("file_coverage", raw: Formatting.decimal(report.fileCoverage, places: 6))
            .field("byte_coverage", raw: Formatting.decimal(report.byteCoverage, places: 6))
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
}
