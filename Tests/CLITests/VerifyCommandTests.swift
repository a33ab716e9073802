import Foundation
import Testing

/// `snapcheck verify` and `compare`, end to end: exit codes, reports, and that the target is
/// never touched.
struct VerifyCommandTests {
    static let example = HookRecipeTests.packageRoot.appendingPathComponent("Fixtures/example")

    /// A copy of the example's source and its manifest, in a scratch directory.
    static func workspace() throws -> (root: URL, source: URL, manifest: String) {
        let root = try Scratch.directory()
        let source = root.appendingPathComponent("source")
        _ = try FileManager.default.copyItem(at: example.appendingPathComponent("source"), to: source)
        let manifest = root.appendingPathComponent("source.manifest.gz").path
        #expect(try CLIRunner.run(["manifest", source.path, "-o", manifest]).status == 0)
        return (root, source, manifest)
    }

    /// Every entry's type, mode, size, mtime, atime and ctime, by `stat` on each path, which
    /// reads neither files nor directories (listing a directory would update its access time).
    static func state(of paths: [String]) throws -> String {
        try run("/usr/bin/stat", ["-c", "%n %F %a %s %y %x %z"] + paths)
    }

    /// The content digests of every file (reading them: call after the timestamps are checked).
    static func digests(of directory: URL) throws -> String {
        try run("/bin/sh", ["-c", "cd '\(directory.path)' && find . -type f -print0 | sort -z | xargs -0 -r sha256sum"])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func bundledExampleIsNotVerified() throws {
        let result = try CLIRunner.run([
            "verify", Self.example.appendingPathComponent("source.manifest").path,
            Self.example.appendingPathComponent("backup").path, "--metadata", "ignore",
        ])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "NOT VERIFIED: 1 file missing (14.7 kB), 2 files damaged (150.1 kB in 2 damaged chunks), 1 file extra (10 bytes)")
        #expect(result.stdout.contains("  finance/2025/invoices.csv (14.7 kB)"))
        #expect(result.stdout.contains("  photos/team.jpg: damaged chunk at bytes 0–149,999 (150.0 kB in 1 chunk;"))
        #expect(lines.last?.hasPrefix("coverage: 50.0% of files (3 of 6)") == true)
        let intact = try CLIRunner.run([
            "verify", Self.example.appendingPathComponent("source.manifest").path,
            Self.example.appendingPathComponent("source").path, "--metadata", "ignore",
        ])
        #expect(intact.status == 0)
        #expect(intact.stdout.hasPrefix("VERIFIED: 6 files, 220.0 kB, byte-for-byte"))
    }

    @Test func jsonLinesAreValidAndEndInASummary() throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work.root) }
        let backup = work.root.appendingPathComponent("backup")
        _ = try Self.run("/bin/cp", ["-a", work.source.path, backup.path])
        try FileManager.default.removeItem(at: backup.appendingPathComponent("finance"))
        let report = work.root.appendingPathComponent("report.jsonl").path
        let result = try CLIRunner.run(["verify", work.manifest, backup.path, "--json", "--output", report])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.dropLast().allSatisfy { $0["type"] as? String == "finding" })
        // A missing directory lists every entry below it.
        #expect(objects.dropLast().map { $0["path"] as! String } == [
            "finance", "finance/2025", "finance/2025/invoices.csv", "finance/2025/ledger.csv",
        ])
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["verified"] as? Bool == false)
        let sizes = try ["invoices.csv", "ledger.csv"].map {
            try FileManager.default.attributesOfItem(atPath: work.source.appendingPathComponent("finance/2025/" + $0).path)[.size] as! Int
        }
        #expect((summary["findings"] as? [String: Any])?["missing"] as? [String: Int] == ["count": 4, "bytes": sizes.reduce(0, +)])
        #expect(try String(contentsOfFile: report, encoding: .utf8) == result.stdout)
    }

    @Test func targetIsUnchangedByteForByteAndTimestampForTimestamp() throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work.root) }
        let backup = work.root.appendingPathComponent("backup")
        _ = try Self.run("/bin/cp", ["-a", work.source.path, backup.path])
        #expect(mkfifo(backup.appendingPathComponent("fifo").path, 0o644) == 0)
        let paths = try Self.run("/usr/bin/find", [backup.path]).split(separator: "\n").map(String.init)
        // Old access times, so that a read under relatime would update them.
        _ = try Self.run("/usr/bin/touch", ["-a", "-d", "2020-01-01 00:00"] + paths)
        let before = try Self.state(of: paths)
        for arguments in [["verify", work.manifest, backup.path], ["compare", work.source.path, backup.path],
                          ["verify", work.manifest, backup.path, "--json"]] {
            let result = try CLIRunner.run(arguments, timeout: 60)
            #expect(result.status == 1, "\(arguments)")  // the FIFO is extra
            #expect(try Self.state(of: paths) == before, "\(arguments)")
        }
        // Also after damage.
        try Data("changed".utf8).write(to: backup.appendingPathComponent("README.txt"))
        let damaged = try Self.state(of: paths)
        #expect(try CLIRunner.run(["verify", work.manifest, backup.path]).status == 1)
        #expect(try Self.state(of: paths) == damaged)
        // And the bytes: every file but the one damaged on purpose equals the source.
        let differing = zip(try Self.digests(of: backup).split(separator: "\n"), try Self.digests(of: work.source).split(separator: "\n"))
            .filter { $0.0 != $0.1 }.map { String($0.0.dropFirst(66)) }
        #expect(differing == ["./README.txt"])
    }

    @Test func unreadableTargetFileAsAnotherUser() throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work.root) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: work.manifest)
        let secret = work.source.appendingPathComponent("projects/plan.md").path
        #expect(chmod(secret, 0o600) == 0)
        // The manifest was made as root with mode 0644 recorded: as nobody the file cannot be
        // read, so it cannot be proven.
        #expect(getuid() != 65534)
        let result = try CLIRunner.run(["verify", work.manifest, work.source.path, "--metadata", "ignore"], asUser: 65534)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("NOT VERIFIED: 1 file unreadable"))
        #expect(result.stdout.contains("projects/plan.md: cannot open: Permission denied"))
    }

    @Test(arguments: [
        ["verify", "/definitely/missing.manifest", "/tmp"],
        ["verify", "MANIFEST", "/definitely/missing"],
        ["verify", "MANIFEST", "/etc/hostname"],
        ["verify", "/etc/hostname", "/tmp"],
        ["verify", "MANIFEST"],
        ["verify", "MANIFEST", "SOURCE", "--metadata", "sometimes"],
        ["verify", "MANIFEST", "SOURCE", "--output", "/definitely/missing/report"],
        ["compare", "/definitely/missing", "SOURCE"],
        ["compare", "SOURCE", "/definitely/missing"],
    ])
    func badInputGivesOneLineAndExitTwo(_ arguments: [String]) throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work.root) }
        let resolved = arguments.map { $0 == "MANIFEST" ? work.manifest : $0 == "SOURCE" ? work.source.path : $0 }
        let result = try CLIRunner.run(resolved)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("snapcheck: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func corruptManifestIsRefusedEvenAfterFindings() throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work.root) }
        let plain = work.root.appendingPathComponent("plain.manifest").path
        #expect(try CLIRunner.run(["manifest", work.source.path, "-o", plain]).status == 0)
        var lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let last = lines.lastIndex { $0.hasPrefix("file\t") }!
        lines[last] = lines[last].replacingOccurrences(of: "\t0644\t", with: "\t0600\t")[...]
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: plain))
        let result = try CLIRunner.run(["verify", plain, work.source.path])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        #expect(result.stderr.contains("snapshot id does not match"))
    }

    /// Peak memory of `snapcheck ARGUMENTS`, in KiB, from GNU time.
    static func peakMemory(_ arguments: [String]) throws -> Int {
        let output = try run("/bin/sh", ["-c", "/usr/bin/time -f '%M' '\(CLIRunner.binary)' " + arguments.map { "'\($0)'" }.joined(separator: " ") + " 2>&1 >/dev/null | tail -1"])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func memoryIsFlatInTheNumberOfEntries() throws {
        let work = try Scratch.directory()
        defer { _ = try? Self.run("/bin/rm", ["-rf", work.path]) }
        var peaks: [Int] = []
        var manifestPeaks: [Int] = []
        for count in [10_000, 100_000] {
            let tree = work.appendingPathComponent("tree-\(count)")
            // 100 directories of small files, made by the shell for speed.
            _ = try Self.run("/bin/sh", ["-c", """
                mkdir -p '\(tree.path)' && cd '\(tree.path)' && for d in $(seq 0 99); do mkdir d$d; done &&
                seq 0 \(count - 1) | awk '{ printf "d%d/f%d\\n", $1 % 100, $1 }' | xargs touch
                """])
            let manifest = work.appendingPathComponent("m-\(count).gz").path
            manifestPeaks.append(try Self.peakMemory(["manifest", tree.path, "-o", manifest]))
            peaks.append(try Self.peakMemory(["verify", manifest, tree.path]))
        }
        #expect(peaks.allSatisfy { $0 > 0 } && manifestPeaks.allSatisfy { $0 > 0 })
        // Ten times the entries may not cost ten times the memory: allow 8 MiB of noise.
        #expect(peaks[1] <= peaks[0] + 8 * 1024, "verify peak RSS \(peaks) KiB")
        #expect(manifestPeaks[1] <= manifestPeaks[0] + 8 * 1024, "manifest peak RSS \(manifestPeaks) KiB")
        #expect(peaks[1] <= 64 * 1024 && manifestPeaks[1] <= 64 * 1024)
    }
}

extension VerifyCommandTests {
    @Test func filesInAnUnlistableTargetDirectoryAreUnreadableNotMissing() throws {
        let work = try Self.workspace()
        defer {
            _ = chmod(work.source.appendingPathComponent("finance").path, 0o755)
            try? FileManager.default.removeItem(at: work.root)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: work.manifest)
        #expect(chmod(work.source.appendingPathComponent("finance").path, 0o700) == 0)
        let result = try CLIRunner.run(["verify", work.manifest, work.source.path, "--metadata", "ignore", "--json"], asUser: 65534)
        #expect(result.status == 1)
        let objects = try result.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let findings = objects.dropLast().map { "\($0["kind"] as! String) \($0["path"] as! String)" }
        #expect(findings == [
            "unreadable finance", "unreadable finance/2025", "unreadable finance/2025/invoices.csv",
            "unreadable finance/2025/ledger.csv",
        ])
    }

    /// A tree 400 levels deep with a file at every level, under a limit of 64 open files: every
    /// command walks it whole (the walk keeps only the nearest levels open).
    @Test func aDeepTreeUnderALowOpenFileLimit() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        var path = root.appendingPathComponent("tree").path
        for level in 0..<400 {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("level \(level)".utf8).write(to: URL(fileURLWithPath: path + "/f"))
            path += "/d"
        }
        let tree = root.appendingPathComponent("tree").path
        let manifest = root.appendingPathComponent("m").path
        let script = """
            ulimit -n 64 || { echo no-limit; exit; }
            '\(CLIRunner.binary)' manifest '\(tree)' -o '\(manifest)' -q > /dev/null 2>&1 || { echo manifest $?; exit; }
            '\(CLIRunner.binary)' verify '\(manifest)' '\(tree)' > /dev/null 2>&1 || { echo verify $?; exit; }
            '\(CLIRunner.binary)' compare '\(tree)' '\(tree)' > /dev/null 2>&1 || { echo compare $?; exit; }
            '\(CLIRunner.binary)' spot-check '\(manifest)' '\(tree)' --seed 1 > /dev/null 2>&1 || { echo spot-check $?; exit; }
            echo ok
            """
        let outcome = try Self.run("/bin/sh", ["-c", script])
        #expect(outcome == "ok\n", "\(outcome)")
    }
}
