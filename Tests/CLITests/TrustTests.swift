import Foundation
import Testing

/// What a hook relies on: no verdict stronger than its evidence, a pinned manifest, no silent
/// success when there was nothing to run or the report could not be written, and no trap on
/// odd timestamps.
struct TrustTests {
    static let manifest = SpotCheckAndDiffCommandTests.manifest
    static let source = SpotCheckAndDiffCommandTests.source

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    static func snapshotID(_ manifest: String) throws -> String {
        let shown = try CLIRunner.run(["show", manifest, "--json"])
        return try #require(try jsonLines(shown.stdout).last?["snapshot"] as? String)
    }

    // MARK: - Spot-check verdicts

    @Test func aPartialSampleNeverSaysVerified() throws {
        let text = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--chunks", "1", "--seed", "3"])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("NO DAMAGE FOUND in a 16.6% sample (1 of 6 chunks, "))
        #expect(!text.stdout.contains("VERIFIED") && !text.stdout.contains("byte-for-byte"))
        #expect(text.stdout.contains("chunks not in the sample were not read and are not proven"))
        let json = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--sample", "1%", "--seed", "3", "--json"])
        let summary = try #require(try Self.jsonLines(json.stdout).last)
        #expect(json.status == 0)
        #expect(summary["verified"] as? Bool == false && summary["sampled"] as? Bool == true && summary["complete"] as? Bool == false)
        #expect(summary["verdict"] as? String == "no-damage-found-in-sample")
        #expect(summary["single_chunk_detection_probability"] as? Double == 1.0 / 6.0 || abs((summary["single_chunk_detection_probability"] as? Double ?? 0) - 1.0 / 6.0) < 1e-8)
        // A full verify of the same tree says verified, sampled false, complete true.
        let verify = try CLIRunner.run(["verify", Self.manifest, Self.source, "--metadata", "ignore", "--json"])
        let verified = try #require(try Self.jsonLines(verify.stdout).last)
        #expect(verified["verified"] as? Bool == true && verified["sampled"] as? Bool == false && verified["complete"] as? Bool == true)
    }

    @Test(arguments: [["--sample", "0%"], ["--sample", "0"], ["--chunks", "0"], ["--bytes", "0"], ["--chunks", "-1"]])
    func anEmptySampleIsAUsageError(_ size: [String]) throws {
        let result = try CLIRunner.run(["spot-check", Self.manifest, Self.source] + size)
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func spotCheckReadsOnlyTheSample() throws {
        // Measured by the snapcheck process itself (rchar of its own /proc/self/io), so tests
        // running beside it in this process cannot disturb the count.
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let tree = work.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data(Scratch.bytes(count: 4_000_000, seed: 9)).write(to: tree.appendingPathComponent("big.bin"))
        let manifest = work.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", tree.path, "-o", manifest, "--min", "16K", "--avg", "64K", "--max", "256K"]).status == 0)
        func spotCheck(_ size: [String]) throws -> (sampled: Int, read: Int) {
            let result = try CLIRunner.run(["spot-check", manifest, tree.path, "--seed", "11", "--json"] + size)
            #expect(result.status == 0)
            let summary = try #require(try Self.jsonLines(result.stdout).last)
            return (try #require(summary["sampled_bytes"] as? Int), try #require(summary["process_read_bytes"] as? Int))
        }
        // Two runs that differ only in the sample: everything else a process reads (the
        // manifest twice, directories, whatever a sanitizer's runtime reads at start) is the
        // same in both, so the difference in bytes read is the difference in the samples.
        let small = try spotCheck(["--chunks", "1"])
        let large = try spotCheck(["--sample", "10%"])
        #expect(large.sampled > 200_000 && large.sampled < 1_000_000, "sampled \(large.sampled) of 4 MB")
        #expect(large.read - small.read <= large.sampled - small.sampled + 16_384, "read \(small.read) then \(large.read)")
        #expect(large.read - small.read >= large.sampled - small.sampled - 16_384, "read \(small.read) then \(large.read)")
    }

    // MARK: - Pinned manifests

    @Test func expectSnapshotPinsTheManifest() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let id = try Self.snapshotID(Self.manifest)
        // A manifest edited and sealed again: intact by itself, but not the one pinned.
        var lines = try String(contentsOfFile: Self.manifest, encoding: .utf8).split(separator: "\n").map(String.init)
        let fileLine = try #require(lines.firstIndex { $0.hasPrefix("file\t") })
        lines[fileLine] = lines[fileLine].replacingOccurrences(of: "\t0644\t", with: "\t0600\t")
        let start = try #require(lines.firstIndex(of: "entries"))
        let end = try #require(lines.firstIndex { $0.hasPrefix("end ") })
        let identity = work.appendingPathComponent("identity")
        try Data((lines[0..<3] + lines[(start + 1)..<end]).map { $0 + "\n" }.joined().utf8).write(to: identity)
        let digest = try VerifyCommandTests.run("/usr/bin/sha256sum", [identity.path]).prefix(64)
        lines[end + 1] = "snapshot sha256:\(digest)"
        let forged = work.appendingPathComponent("forged.manifest").path
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: forged))
        #expect(try CLIRunner.run(["show", forged]).status == 0)

        let commands: [[String]] = [
            ["verify", "M", Self.source, "--metadata", "ignore"],
            ["spot-check", "M", Self.source, "--metadata", "ignore", "--seed", "1"],
            ["diff", "M", Self.manifest],
        ]
        for command in commands {
            let good = try CLIRunner.run(command.map { $0 == "M" ? Self.manifest : $0 } + ["--expect-snapshot", id])
            #expect(good.status == 0, "\(command): \(good.stderr)")
            let refused = try CLIRunner.run(command.map { $0 == "M" ? forged : $0 } + ["--expect-snapshot", id])
            #expect(refused.status == 2, "\(command)")
            #expect(refused.errorLines.count == 1)
            #expect(refused.stderr.contains("sha256:\(digest) is not the expected \(id)"), "\(refused.stderr)")
        }
        let newPinned = try CLIRunner.run(["diff", Self.manifest, forged, "--expect-new-snapshot", id])
        #expect(newPinned.status == 2 && newPinned.stderr.contains("is not the expected \(id)"))
        let malformed = try CLIRunner.run(["verify", Self.manifest, Self.source, "--expect-snapshot", "sha256:1234"])
        #expect(malformed.status == 2 && malformed.errorLines.count == 1)
    }

    // MARK: - Nothing to run, nowhere to write

    @Test func noCommandIsAUsageError() throws {
        let none = try CLIRunner.run([])
        #expect(none.status == 2)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("USAGE: snapcheck <subcommand>"))
        #expect(none.errorLines.last == "snapcheck: no command given (see above)")
        let empty = try CLIRunner.run([""])
        #expect(empty.status == 2 && empty.errorLines.count == 1)
        for help in [["--help"], ["help"], ["--version"]] {
            let result = try CLIRunner.run(help)
            #expect(result.status == 0, "\(help)")
            #expect(!result.stdout.isEmpty)
        }
    }

    /// Runs snapcheck with stdout on `stdout` (a closed pipe's write end, /dev/full, ...).
    static func run(_ arguments: [String], stdout: FileHandle) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        process.standardOutput = stdout
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    @Test func aReportThatCannotBeWrittenIsExitTwo() throws {
        let full = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        defer { try? full.close() }
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let cases: [[String]] = [
            ["verify", Self.manifest, Self.source, "--metadata", "ignore"],
            ["verify", Self.manifest, Self.source, "--metadata", "ignore", "--json"],
            ["show", Self.manifest, "--json"],
            ["diff", Self.manifest, Self.manifest],
            ["manifest", Self.source],
        ]
        for arguments in cases {
            let toFull = try Self.run(arguments, stdout: full)
            #expect(toFull.status == 2, "\(arguments)")
            #expect(toFull.stderr.split(separator: "\n").count == 1 && toFull.stderr.contains("No space left on device"), "\(toFull.stderr)")
            // A pipe whose reader has gone: EPIPE, not a silent death by SIGPIPE.
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            let closed = try Self.run(arguments, stdout: pipe.fileHandleForWriting)
            #expect(closed.status == 2, "\(arguments)")
            #expect(closed.stderr.contains("Broken pipe"), "\(closed.stderr)")
        }
        let copy = try CLIRunner.run(["verify", Self.manifest, Self.source, "--metadata", "ignore", "--output", "/dev/full"])
        #expect(copy.status == 2 && copy.errorLines.count == 1 && copy.stderr.contains("/dev/full"))
        let manifest = try CLIRunner.run(["manifest", Self.source, "-o", "/dev/full"])
        #expect(manifest.status == 2 && manifest.errorLines.count == 1)
    }

    @Test func everyJSONOutputEndsWithTheSummary() throws {
        let file = Self.source + "/projects/plan.md"
        let commands: [[String]] = [
            ["show", Self.manifest, "--json"],
            ["verify", Self.manifest, Self.source, "--json"],
            ["compare", Self.source, Self.source, "--json"],
            ["spot-check", Self.manifest, Self.source, "--json"],
            ["diff", Self.manifest, Self.manifest, "--json"],
            ["chunk", file, "--json"],
        ]
        for command in commands {
            let result = try CLIRunner.run(command)
            #expect(result.status == 0 || result.status == 1, "\(command)")
            let objects = try Self.jsonLines(result.stdout)
            #expect(objects.last?["type"] as? String == "summary", "\(command)")
            #expect(objects.dropLast().allSatisfy { $0["type"] as? String != "summary" })
        }
    }

    // MARK: - Times beyond 64-bit nanoseconds

    @Test func farFutureAndPastTimesNeverTrap() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for name in ["future", "past", "plain"] {
            try Data(name.utf8).write(to: source.appendingPathComponent(name))
        }
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-d", "2300-01-01T00:00:00Z", source.appendingPathComponent("future").path])
        // The earliest time ext4 stores: -2^31 s (older times are clamped to it).
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-d", "1901-12-13T20:45:52Z", source.appendingPathComponent("past").path])
        let manifest = work.appendingPathComponent("m").path
        let made = try CLIRunner.run(["manifest", source.path, "-o", manifest])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        // 2300-01-01 is 10413792000 s after the epoch (`date -u -d 2300-01-01 +%s`), written
        // as nanoseconds: more than 64 bits hold.
        #expect(text.contains("file\tfuture\t0644\t10413792000000000000\t"))
        #expect(text.contains("file\tpast\t0644\t-2147483648000000000\t"))
        // The target's times differ from the manifest's in both directions.
        let target = work.appendingPathComponent("target")
        _ = try VerifyCommandTests.run("/bin/cp", ["-a", source.path, target.path])
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-d", "2400-06-01T00:00:00Z", target.appendingPathComponent("past").path])
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-d", "1901-12-14T00:00:00Z", target.appendingPathComponent("future").path])
        let targetManifest = work.appendingPathComponent("t").path
        #expect(try CLIRunner.run(["manifest", target.path, "-o", targetManifest]).status == 0)
        let runs: [[String]] = [
            ["verify", manifest, source.path], ["verify", manifest, target.path],
            ["compare", source.path, target.path], ["spot-check", manifest, target.path, "--sample", "100%"],
            ["show", targetManifest],
        ]
        for arguments in runs {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.status) \(result.stderr)")
        }
        let diff = try CLIRunner.run(["diff", manifest, targetManifest])
        #expect(diff.status == 1 && diff.stdout.contains("mtime 2300-01-01T00:00:00.000000000Z -> 1901-12-14T00:00:00.000000000Z"))
        let verify = try CLIRunner.run(["verify", manifest, target.path])
        #expect(verify.stdout.contains("future: mtime 2300-01-01T00:00:00.000000000Z -> 1901-12-14T00:00:00.000000000Z"))
        #expect(verify.stdout.contains("past: mtime 1901-12-13T20:45:52.000000000Z -> 2400-06-01T00:00:00.000000000Z"))
        #expect(verify.stdout.hasPrefix("VERIFIED: 3 files, 15 bytes, byte-for-byte (2 warnings)"))
        // One warning is one warning.
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-r", source.appendingPathComponent("past").path, target.appendingPathComponent("past").path])
        let single = try CLIRunner.run(["verify", manifest, target.path])
        #expect(single.stdout.hasPrefix("VERIFIED: 3 files, 15 bytes, byte-for-byte (1 warning)\n"), "\(single.stdout)")
    }

    // MARK: - Nothing raw on a terminal

    @Test func controlCharactersInArgumentsAreEscaped() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let odd = work.appendingPathComponent("x\u{1B}[2J")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        let report = try CLIRunner.run(["verify", Self.manifest, odd.path])
        #expect(report.status == 1)
        #expect(report.stdout.contains("x\\x1b[2J"))
        let missing = try CLIRunner.run(["verify", odd.path + "/nothing\u{07}", odd.path])
        #expect(missing.status == 2 && missing.errorLines.count == 1)
        #expect(missing.stderr.contains("\\x1b[2J/nothing\\x07"))
        for text in [report.stdout, report.stderr, missing.stdout, missing.stderr] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(text.debugDescription)")
        }
    }

    // MARK: - No process-wide state

    @Test(arguments: [("022", 0o644), ("027", 0o640), ("077", 0o600)])
    func aManifestGetsTheModeTheUmaskGives(_ mask: String, _ mode: Int) throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let manifest = work.appendingPathComponent("m.gz").path
        let output = try VerifyCommandTests.run("/bin/sh", ["-c", "umask \(mask) && '\(CLIRunner.binary)' manifest '\(Self.source)' -o '\(manifest)' --quiet; echo $?"])
        #expect(output.hasSuffix("0\n"), "\(output)")
        let permissions = try FileManager.default.attributesOfItem(atPath: manifest)[.posixPermissions] as? Int
        #expect(permissions == mode, "umask \(mask): \(String(permissions ?? 0, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["m.gz"])
    }
}
