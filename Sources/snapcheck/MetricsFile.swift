import SystemPackage
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `--metrics FILE`: a run's outcome in the Prometheus text format, for node_exporter's
/// textfile collector (docs/monitoring.md), written atomically so the collector never reads
/// half a file.
struct MetricsFile {
    /// One metric family: name, help, type and its samples (labels beyond `job`, value).
    struct Family {
        var name: String
        var help: String
        var type = "gauge"
        var samples: [(labels: [(String, String)], value: String)]
    }

    let path: String
    let job: String
    private(set) var families: [Family] = []

    init(path: String, job: String) {
        self.path = path
        self.job = job
    }

    mutating func add(_ name: String, _ help: String, _ value: String, labels: [(String, String)] = []) {
        if let index = families.firstIndex(where: { $0.name == name }) {
            families[index].samples.append((labels, value))
        } else {
            families.append(Family(name: name, help: help, samples: [(labels, value)]))
        }
    }

    /// The metrics of a finished check.
    mutating func add(report: VerificationReport, startedAt start: Double, finishedAt end: Double, coverage: SpotCheck.Coverage?) {
        let verified = report.verified
        add("snapcheck_last_run_timestamp_seconds", "When this check last finished (Unix time).", Self.number(end))
        // A run that did not verify keeps the time of the last one that did.
        let lastVerified = verified ? Self.number(end) : previousValue("snapcheck_last_verified_timestamp_seconds")
        if let lastVerified {
            add("snapcheck_last_verified_timestamp_seconds", "When a check of this job last verified the backup (Unix time).", lastVerified)
        }
        add("snapcheck_verified", "1 when the last run proved every byte of the backup, else 0.", verified ? "1" : "0")
        add("snapcheck_passed", "1 when the last run found nothing that counts in what it examined (exit 0), else 0.",
            report.hasCountedFindings ? "0" : "1")
        add("snapcheck_sampled", "1 when the last run read a sample of the chunks only (a spot-check).", report.sampled ? "1" : "0")
        for kind in Finding.Kind.allCases {
            add("snapcheck_findings", "Findings of the last run, by kind (counting ones and warnings).",
                String(report.byKind[kind]?.count ?? 0), labels: [("kind", kind.rawValue)])
        }
        add("snapcheck_expected_files", "Regular files in the manifest.", String(report.expectedFiles))
        add("snapcheck_expected_bytes", "Bytes of the manifest's regular files.", String(report.expectedBytes))
        add("snapcheck_proven_files", "Regular files the last run proved intact.", String(report.intactFiles))
        add("snapcheck_proven_bytes", "Bytes of the files the last run proved intact.", String(report.intactBytes))
        add("snapcheck_coverage_ratio", "Share of bytes proven: by the last run (scope=run), within the window (scope=window, rolling spot-checks).",
            Self.number(report.byteCoverage), labels: [("scope", "run")])
        if let coverage {
            add("snapcheck_coverage_ratio", "", Self.number(coverage.byteShare), labels: [("scope", "window")])
            add("snapcheck_rolling_chunk_coverage_ratio", "Share of chunks proven within the window (rolling spot-checks).",
                Self.number(coverage.chunkShare))
        }
        add("snapcheck_duration_seconds", "How long the last run took.", Self.number(end - start))
        add("snapcheck_read_bytes", "Bytes the last run read (the process's rchar).", String(max(0, ProcessIO.readBytes())))
    }

    /// The file's text.
    var text: String {
        var lines: [String] = []
        for family in families {
            lines.append("# HELP \(family.name) \(family.help)")
            lines.append("# TYPE \(family.name) \(family.type)")
            for sample in family.samples {
                let labels = ([("job", job)] + sample.labels).map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
                lines.append("\(family.name){\(labels)} \(sample.value)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file atomically (temporary file in the same folder, fsync, rename).
    func write() throws {
        let file = try AtomicFile(destination: FilePath(path))
        if case .failure(let error) = Array(text.utf8).withUnsafeBytes({ Syscall.writeAll(file.descriptor, $0) }) {
            throw SnapCheckError(.io, "cannot write the metrics", path: FilePath(path), errno: error.code)
        }
        try file.commit()
    }

    /// The value of `name` for this job in the file as it is now, if any.
    private func previousValue(_ name: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        let prefix = "\(name){job=\"\(Self.escapeLabel(job))\"} "
        return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
            .split(separator: "\n").first { $0.hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)) }
            .flatMap { Double($0) != nil ? $0 : nil }
    }

    private static func escapeLabel(_ value: String) -> String {
        value.replacingBytes { $0 == "\\" ? "\\\\" : $0 == "\"" ? "\\\"" : $0 == "\n" ? "\\n" : nil }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

private extension String {
    /// The string with each character that `replacement` maps replaced.
    func replacingBytes(_ replacement: (Character) -> String?) -> String {
        var result = ""
        for character in self { result += replacement(character) ?? String(character) }
        return result
    }
}
