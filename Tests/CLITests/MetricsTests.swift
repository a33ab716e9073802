import Foundation
import Testing

/// `--metrics FILE`: checked with Prometheus's own promtool; the alert rules of
/// docs/monitoring.md too.
struct MetricsTests {
    static let manifest = SpotCheckAndDiffCommandTests.manifest

    static func promtool(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            try process.run()
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static func value(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(name + "{") }.map { String($0.split(separator: " ").last!) }
    }

    @Test func metricsPassPromtoolAndKeepTheLastVerifiedTime() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let metrics = work.appendingPathComponent("snapcheck-finance.prom").path
        let good = try CLIRunner.run(["verify", Self.manifest, SpotCheckAndDiffCommandTests.source, "--metadata", "ignore",
                                      "--metrics", metrics, "--job", "finance"])
        #expect(good.status == 0)
        let first = try String(contentsOfFile: metrics, encoding: .utf8)
        let check = try Self.promtool(["check", "metrics"], stdin: first)
        #expect(check.status == 0, "\(check.output)")
        #expect(Self.value("snapcheck_verified", in: first) == "1")
        #expect(first.contains("snapcheck_findings{job=\"finance\",kind=\"missing\"} 0"))
        let verifiedAt = try #require(Self.value("snapcheck_last_verified_timestamp_seconds", in: first))
        #expect(verifiedAt == Self.value("snapcheck_last_run_timestamp_seconds", in: first))
        // A failing run: verified 0, findings counted, and the last verified time kept.
        let bad = try CLIRunner.run(["verify", Self.manifest, SpotCheckAndDiffCommandTests.backup, "--metadata", "ignore",
                                     "--metrics", metrics, "--job", "finance"])
        #expect(bad.status == 1)
        let second = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(try Self.promtool(["check", "metrics"], stdin: second).status == 0)
        #expect(Self.value("snapcheck_verified", in: second) == "0")
        #expect(Self.value("snapcheck_last_verified_timestamp_seconds", in: second) == verifiedAt)
        #expect(Self.value("snapcheck_last_run_timestamp_seconds", in: second) != verifiedAt)
        #expect(second.contains("snapcheck_findings{job=\"finance\",kind=\"content\"} 2"))
        // A spot-check never counts as verified, and reports its rolling coverage.
        let spot = try CLIRunner.run(["spot-check", Self.manifest, SpotCheckAndDiffCommandTests.source, "--metadata", "ignore",
                                      "--chunks", "2", "--state", work.appendingPathComponent("s.state").path,
                                      "--metrics", metrics, "--job", "finance"])
        #expect(spot.status == 0)
        let third = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(try Self.promtool(["check", "metrics"], stdin: third).status == 0)
        #expect(Self.value("snapcheck_verified", in: third) == "0" && Self.value("snapcheck_passed", in: third) == "1")
        #expect(Self.value("snapcheck_last_verified_timestamp_seconds", in: third) == verifiedAt)
        #expect(third.contains("snapcheck_rolling_chunk_coverage_ratio{job=\"finance\"} 0.3333"))
        // Only the file itself is left behind: no temporary files.
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == ["s.state", "snapcheck-finance.prom"])
    }

    @Test func alertRulesOfTheMonitoringDocPassPromtool() throws {
        let text = try String(contentsOf: HookRecipeTests.packageRoot.appendingPathComponent("docs/monitoring.md"), encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- tested-rules -->"))
        let start = try #require(text.range(of: "```yaml\n", range: marker.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let rules = work.appendingPathComponent("snapcheck.rules.yml")
        try Data(text[start.upperBound..<end.lowerBound].utf8).write(to: rules)
        let check = try Self.promtool(["check", "rules", rules.path])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 3 rules found"))
    }

    @Test func historyShowsWhenABackupStoppedBeingProven() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let history = work.appendingPathComponent("runs.jsonl").path
        let common = ["--metadata", "ignore", "--history", history, "--job", "finance"]
        #expect(try CLIRunner.run(["verify", Self.manifest, SpotCheckAndDiffCommandTests.source] + common).status == 0)
        #expect(try CLIRunner.run(["verify", Self.manifest, SpotCheckAndDiffCommandTests.backup] + common).status == 1)
        let table = try CLIRunner.run(["history", history])
        #expect(table.status == 1, "the newest run did not pass: \(table.stdout)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(table.stdout)")
        #expect(lines[1].contains(" finance ") && lines[1].contains(" VERIFIED ") && lines[1].contains("100.0%"))
        #expect(lines[2].contains(" NOT VERIFIED ") && lines[2].contains("25.1% ↓") && lines[2].hasSuffix("<-- not proven"))
        #expect(lines[2].contains("4 (1 missing, 1 extra, 2 content)"))
        #expect(lines[3].hasPrefix("finance: last verified ") && lines[3].hasSuffix("(1 run ago)"))
        // Every line of the file is one JSON object of type "run", with the summary's fields.
        let records = try TrustTests.jsonLines(try String(contentsOfFile: history, encoding: .utf8))
        #expect(records.count == 2 && records.allSatisfy { $0["type"] as? String == "run" && $0["job"] as? String == "finance" })
        #expect(records.map { $0["verified"] as? Bool } == [true, false])
        // A file that is not a history is refused.
        let broken = work.appendingPathComponent("broken.jsonl").path
        try Data("{\"type\":\"summary\"}\n".utf8).write(to: URL(fileURLWithPath: broken))
        let refused = try CLIRunner.run(["history", broken])
        #expect(refused.status == 2 && refused.errorLines.count == 1)
    }
}
