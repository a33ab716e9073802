import Foundation
import Testing

/// `snapcheck spot-check` and `snapcheck diff`, end to end.
struct SpotCheckAndDiffCommandTests {
    static let manifest = VerifyCommandTests.example.appendingPathComponent("source.manifest").path
    static let backup = VerifyCommandTests.example.appendingPathComponent("backup").path
    static let source = VerifyCommandTests.example.appendingPathComponent("source").path

    @Test func spotCheckStatesItsSeedAndWhatItProved() throws {
        let first = try CLIRunner.run(["spot-check", Self.manifest, Self.backup, "--metadata", "ignore", "--sample", "50%"])
        #expect(first.status == 1)
        #expect(first.stdout.hasPrefix("NOT VERIFIED: 1 file missing (14.7 kB)"))
        let seedLine = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("sample: read ") })
        #expect(seedLine.contains(" of 6 chunks (") && seedLine.contains("); seed "))
        #expect(first.stdout.contains("  a single damaged chunk would have been caught with probability 50.0% (the share of chunks read)"))
        #expect(first.stdout.contains("if 0.1% or more of all chunks (1 or more) were damaged, it would have been caught with probability "))
        #expect(first.stdout.contains("every entry was examined"))
        // The printed seed repeats the run exactly.
        let seed = String(seedLine.split(separator: " ").last { UInt64($0) != nil }!)
        let again = try CLIRunner.run(["spot-check", Self.manifest, Self.backup, "--metadata", "ignore", "--sample", "50%", "--seed", seed])
        #expect(again.stdout == first.stdout)
        let json = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--chunks", "6", "--json", "--seed", "1"])
        #expect(json.status == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect(summary["spot_check"] as? Bool == true)
        // Every chunk read: this sample may say verified.
        #expect(summary["verified"] as? Bool == true && summary["complete"] as? Bool == true && summary["sampled"] as? Bool == true)
        #expect(summary["sampled_chunks"] as? Int == 6 && summary["matched_chunks"] as? Int == 6)
        #expect(summary["detection_probability_at_1%"] as? Double == 1)
    }

    @Test(arguments: [
        ["spot-check", "MANIFEST", "SOURCE", "--sample", "150%"],
        ["spot-check", "MANIFEST", "SOURCE", "--sample", "1%", "--chunks", "3"],
        ["spot-check", "MANIFEST", "/definitely/missing"],
        ["spot-check", "/etc/hostname", "SOURCE"],
        ["diff", "MANIFEST", "/definitely/missing"],
        ["diff", "/etc/hostname", "MANIFEST"],
    ])
    func badInputGivesOneLineAndExitTwo(_ arguments: [String]) throws {
        let resolved = arguments.map { $0 == "MANIFEST" ? Self.manifest : $0 == "SOURCE" ? Self.source : $0 }
        let result = try CLIRunner.run(resolved)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func diffOfTheExampleAndItsBackup() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let backupManifest = work.appendingPathComponent("backup.manifest.gz").path
        #expect(try CLIRunner.run(["manifest", Self.backup, "-o", backupManifest]).status == 0)
        let same = try CLIRunner.run(["diff", Self.manifest, Self.manifest])
        #expect(same.status == 0)
        #expect(same.stdout.hasPrefix("IDENTICAL: sha256:"))
        let text = try CLIRunner.run(["diff", Self.manifest, backupManifest])
        #expect(text.status == 1)
        #expect(text.stdout.hasPrefix("DIFFERENT: 1 added, 1 removed, 2 modified"))
        #expect(text.stdout.contains("  finance/2025/invoices.csv (14.7 kB)"))
        #expect(text.stdout.contains("  projects/plan-old.md (10 bytes)"))
        let json = try CLIRunner.run(["diff", Self.manifest, backupManifest, "--json"])
        #expect(json.status == 1)
        let objects = try json.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.last?["type"] as? String == "summary")
        #expect(objects.last?["identical"] as? Bool == false)
        let modified = objects.filter { $0["kind"] as? String == "modified" }.map { $0["path"] as! String }
        #expect(modified == ["photos/team.jpg", "projects/plan.md"])
    }
}
