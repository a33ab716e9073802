import Foundation
import Testing

/// `verify --shard K/N` and `snapcheck merge`, end to end: the merged report is the one a
/// single run prints, byte for byte, with its exit status.
struct ShardCommandTests {
    /// A tree with a file large enough to be cut between shards, its manifest (small chunks),
    /// and a damaged copy.
    static func workspace() throws -> (root: URL, manifest: String, target: String) {
        let root = try Scratch.directory()
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("docs"), withIntermediateDirectories: true)
        for index in 0..<20 {
            try Data(Scratch.bytes(count: 2_000 + 900 * index, seed: UInt64(index)))
                .write(to: source.appendingPathComponent("docs/d\(index).txt"))
        }
        try Data(Scratch.bytes(count: 600_000, seed: 99)).write(to: source.appendingPathComponent("disk.img"))
        try Data("x".utf8).write(to: source.appendingPathComponent("x"))
        let manifest = root.appendingPathComponent("source.manifest").path
        #expect(try CLIRunner.run(["manifest", source.path, "-o", manifest, "--min", "1K", "--avg", "4K", "--max", "16K"]).status == 0)
        let target = root.appendingPathComponent("backup").path
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", """
            cp -a '\(source.path)' '\(target)' && cd '\(target)' && rm docs/d4.txt && echo new > docs/d4.txt.bak && \
            printf 'QQ' | dd of=disk.img bs=1 seek=500000 conv=notrunc 2>/dev/null && touch -r '\(source.path)/disk.img' disk.img && \
            rm x && mkdir x
            """])
        return (root, manifest, target)
    }

    /// Runs every shard of `count` into files; returns their paths and exit statuses.
    static func shards(_ count: Int, _ workspace: (root: URL, manifest: String, target: String), extra: [String] = []) throws -> [(String, Int32)] {
        try (1...count).map { index in
            let report = workspace.root.appendingPathComponent("shard-\(index)-of-\(count)\(extra.joined()).jsonl").path
            let result = try CLIRunner.run(
                ["verify", workspace.manifest, workspace.target, "--shard", "\(index)/\(count)", "--output", report, "--no-progress"] + extra)
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            return (report, result.status)
        }
    }

    @Test func mergedReportIsTheSingleRunsReport() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let text = try CLIRunner.run(["verify", workspace.manifest, workspace.target])
        let json = try CLIRunner.run(["verify", workspace.manifest, workspace.target, "--json"])
        #expect(text.status == 1 && json.status == 1)
        #expect(json.stdout.contains("\"path\":\"disk.img\""))
        for count in [1, 2, 3, 7] {
            let shards = try Self.shards(count, workspace)
            // A shard that found damage says so in its own exit status.
            #expect(shards.contains { $0.1 == 1 })
            #expect(shards.allSatisfy { $0.1 == 0 || $0.1 == 1 })
            let reports = shards.map(\.0).reversed()
            let mergedText = try CLIRunner.run(["merge"] + reports)
            let mergedJSON = try CLIRunner.run(["merge", "--json"] + reports)
            #expect(mergedText.status == 1 && mergedJSON.status == 1)
            #expect(mergedText.stdout == text.stdout, "\(count) shards")
            #expect(mergedJSON.stdout == json.stdout, "\(count) shards")
        }
        // An intact backup merges to VERIFIED and exit 0.
        let source = workspace.root.appendingPathComponent("source").path
        let reports = try (1...3).map { index in
            let report = workspace.root.appendingPathComponent("intact-\(index).jsonl").path
            let result = try CLIRunner.run(["verify", workspace.manifest, source, "--shard", "\(index)/3", "--output", report])
            #expect(result.status == 0)
            return report
        }
        let history = workspace.root.appendingPathComponent("history.jsonl").path
        let merged = try CLIRunner.run(["merge", "--history", history] + reports)
        #expect(merged.status == 0)
        #expect(merged.stdout.hasPrefix("VERIFIED: 22 files"))
        // The verdict goes to the history as the single run's would, with the shards' target.
        let line = String(decoding: try Data(contentsOf: URL(fileURLWithPath: history)), as: UTF8.self)
        #expect(line.contains("\"command\":\"verify\"") && line.contains("\"target\":\"\(source)\"") && line.contains("\"verified\":true"))
        let refused = try CLIRunner.run(["verify", workspace.manifest, source, "--shard", "1/3", "--metrics", history + ".prom"])
        #expect(refused.status == 2 && refused.stderr.contains("give them to snapcheck merge"))
    }

    @Test func spotCheckShardsMergeToTheSingleSpotCheck() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let arguments = ["spot-check", workspace.manifest, workspace.target, "--seed", "7", "--sample", "25%"]
        let text = try CLIRunner.run(arguments)
        let json = try CLIRunner.run(arguments + ["--json"])
        // process_read_bytes is what each process read: not comparable between runs.
        func comparable(_ text: String) -> String { text.replacingOccurrences(of: #","process_read_bytes":[0-9]+"#, with: "", options: .regularExpression) }
        for count in [2, 3] {
            let reports = try (1...count).map { index in
                let report = workspace.root.appendingPathComponent("spot-\(index)-of-\(count).jsonl").path
                _ = try CLIRunner.run(arguments + ["--shard", "\(index)/\(count)", "--output", report])
                return report
            }
            let mergedText = try CLIRunner.run(["merge"] + reports)
            let mergedJSON = try CLIRunner.run(["merge", "--json"] + reports)
            #expect(mergedText.status == text.status && mergedJSON.status == json.status)
            #expect(mergedText.stdout == text.stdout, "\(count) shards")
            #expect(comparable(mergedJSON.stdout) == comparable(json.stdout), "\(count) shards")
        }
        let noSeed = try CLIRunner.run(["spot-check", workspace.manifest, workspace.target, "--shard", "1/2"])
        #expect(noSeed.status == 2 && noSeed.stderr.contains("--shard needs --seed"))
    }

    @Test func mergeRefusesWhatDoesNotBelongTogether() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let three = try Self.shards(3, workspace).map(\.0)
        let two = try Self.shards(2, workspace).map(\.0)
        let lenient = try Self.shards(3, workspace, extra: ["--allow-extra"]).map(\.0)
        let notAReport = workspace.root.appendingPathComponent("nonsense").path
        try Data("{\"type\":\"finding\"}\nhello\n".utf8).write(to: URL(fileURLWithPath: notAReport))
        let cases: [([String], String)] = [
            ([three[0], three[2]], "missing shard 2/3"),
            ([three[0], three[1], three[1], three[2]], "given twice"),
            ([three[0], two[1], three[2]], "shard count"),
            ([three[0], three[1], lenient[2]], "allow_extra"),
            ([notAReport], "not a shard report"),
            ([workspace.root.appendingPathComponent("absent").path], "cannot read"),
        ]
        for (reports, message) in cases {
            let result = try CLIRunner.run(["merge"] + reports)
            #expect(result.status == 2, "\(message)")
            #expect(result.errorLines.count == 1 && result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        // Reports of another manifest.
        let other = workspace.root.appendingPathComponent("other.manifest").path
        #expect(try CLIRunner.run(["manifest", workspace.target, "-o", other]).status == 0)
        let foreign = workspace.root.appendingPathComponent("foreign.jsonl").path
        _ = try CLIRunner.run(["verify", other, workspace.target, "--shard", "2/3", "--output", foreign])
        let result = try CLIRunner.run(["merge", three[0], foreign, three[2]])
        #expect(result.status == 2 && result.stderr.contains("another manifest"))
    }

    @Test func shardAutoReadsTheSchedulersEnvironment() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let explicit = try CLIRunner.run(["verify", workspace.manifest, workspace.target, "--shard", "2/4"])
        let slurm = try CLIRunner.run(
            ["verify", workspace.manifest, workspace.target, "--shard", "auto"],
            environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3", "SLURM_ARRAY_TASK_COUNT": "4"])
        let kubernetes = try CLIRunner.run(
            ["verify", workspace.manifest, workspace.target, "--shard", "auto/4"], environment: ["JOB_COMPLETION_INDEX": "1"])
        #expect(explicit.stdout.contains("\"shard\":\"2/4\""))
        #expect(slurm.stdout == explicit.stdout && slurm.status == explicit.status)
        #expect(kubernetes.stdout == explicit.stdout && kubernetes.status == explicit.status)
        let refusals: [([String], [String: String], String)] = [
            (["--shard", "auto"], [:], "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX"),
            (["--shard", "auto"], ["JOB_COMPLETION_INDEX": "0"], "--shard auto/N"),
            (["--shard", "auto"], ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "9", "SLURM_ARRAY_TASK_COUNT": "3"], "without gaps"),
            (["--shard", "5/4"], [:], "1 <= K <= N"),
            (["--shard", "two"], [:], "K/N"),
            (["--shard", "1/2", "--state", workspace.root.appendingPathComponent("state").path], [:], "--shard needs"),
        ]
        for (arguments, environment, message) in refusals {
            let result = try CLIRunner.run(["verify", workspace.manifest, workspace.target] + arguments, environment: environment)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errorLines.count == 1 && result.stderr.contains(message), "\(result.stderr)")
        }
    }

    @Test func manifestPartsMergeToTheSingleRunsManifest() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let source = workspace.root.appendingPathComponent("source").path
        let chunking = ["--min", "1K", "--avg", "4K", "--max", "16K"]
        let single = workspace.root.appendingPathComponent("single.manifest").path
        let made = try CLIRunner.run(["manifest", source, "-o", single, "--quiet"] + chunking)
        #expect(made.status == 0)
        for (count, balance) in [(3, [String]()), (4, ["--balance-by", single])] {
            var parts: [String] = []
            for index in 1...count {
                let part = workspace.root.appendingPathComponent("part-\(index)-of-\(count).gz").path
                let result = try CLIRunner.run(["manifest", source, "--shard", "\(index)/\(count)", "-o", part] + chunking + balance)
                #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)")
                #expect(result.stderr.contains("part \(index)/\(count):"))
                parts.append(part)
            }
            let merged = workspace.root.appendingPathComponent("merged-\(count).manifest").path
            let result = try CLIRunner.run(["merge"] + parts.shuffled() + ["-o", merged])
            #expect(result.status == 0)
            #expect(result.stdout == made.stdout, "the same snapshot id")
            let lines = { (path: String) throws -> [Substring] in
                String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
                    .split(separator: "\n").filter { !$0.hasPrefix("created ") }
            }
            #expect(try lines(merged) == lines(single))
            // A part is not a manifest to verify against.
            let refused = try CLIRunner.run(["verify", parts[0], source])
            #expect(refused.status == 2 && refused.stderr.contains("merge the parts first"))
            let noOutput = try CLIRunner.run(["merge"] + parts)
            #expect(noOutput.status == 2 && noOutput.stderr.contains("needs -o MANIFEST"))
        }
        let noFile = try CLIRunner.run(["manifest", source, "--shard", "1/2"])
        #expect(noFile.status == 2 && noFile.stderr.contains("--shard needs -o FILE"))
    }
}
