import Foundation
import Testing

/// `spot-check --state` and `verify --state`, end to end.
struct RollingCommandTests {
    static let manifest = SpotCheckAndDiffCommandTests.manifest
    static let source = SpotCheckAndDiffCommandTests.source
    static let backup = SpotCheckAndDiffCommandTests.backup

    @Test func spotChecksRollToFullCoverage() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("example.state").path
        // 6 chunks, 2 a run: three runs prove them all, whatever the seeds.
        var last = ""
        for seed in 1...3 {
            let run = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--sample", "30%",
                                         "--state", state, "--seed", "\(seed)"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("NO DAMAGE FOUND in a 33.3% sample (2 of 6 chunks"))
            last = run.stdout
        }
        #expect(last.contains("rolling coverage: 100% of chunks (6 of 6) and 100% of bytes (220.0 kB of 220.0 kB) proven within the last 30 days"))
        #expect(last.contains("  every chunk is proven within the window"))
        let json = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--chunks", "1",
                                      "--state", state, "--window", "2w", "--json"])
        let summary = try #require(try TrustTests.jsonLines(json.stdout).last)
        #expect(summary["rolling_proven_chunks"] as? Int == 6 && summary["runs_to_full_coverage"] as? Int == 0)
        #expect(summary["window_seconds"] as? Int == 14 * 86_400)
        #expect(summary["verified"] as? Bool == false)
    }

    @Test func aDamagedStateIsRefusedUntilReset() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("example.state")
        #expect(try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--state", state.path, "--metadata", "ignore"]).status == 0)
        var bytes = [UInt8](try Data(contentsOf: state))
        bytes[bytes.count - 40] ^= 0x01
        try Data(bytes).write(to: state)
        let refused = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--state", state.path, "--metadata", "ignore"])
        #expect(refused.status == 2 && refused.errorLines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("not an intact snapcheck state file") && refused.stderr.contains("--reset-state"))
        #expect(refused.stdout.isEmpty)
        let reset = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--state", state.path, "--reset-state", "--metadata", "ignore"])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--reset-state"]).status == 2)
    }

    @Test func verifyRecordsWhatItProvedAndAnotherTargetStartsAfresh() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let state = work.appendingPathComponent("backup.state").path
        let verify = try CLIRunner.run(["verify", Self.manifest, Self.backup, "--metadata", "ignore", "--state", state])
        #expect(verify.status == 1)
        // The backup's intact files (3 chunks of 6) are proven; a spot-check of one chunk
        // reads one of the others first, which is damaged or missing.
        let spot = try CLIRunner.run(["spot-check", Self.manifest, Self.backup, "--metadata", "ignore", "--chunks", "1",
                                      "--state", state, "--seed", "4", "--json"])
        let summary = try #require(try TrustTests.jsonLines(spot.stdout).last)
        #expect(summary["rolling_proven_chunks"] as? Int == 3, "\(summary)")
        #expect(spot.status == 1)
        // The same state for another target is not reused: said on stderr, then a fresh start.
        let other = try CLIRunner.run(["spot-check", Self.manifest, Self.source, "--metadata", "ignore", "--chunks", "1",
                                       "--state", state, "--json"])
        #expect(other.status == 0)
        #expect(other.stderr.contains("was not used: it was made for the target"), "\(other.stderr)")
        #expect(try TrustTests.jsonLines(other.stdout).last?["rolling_proven_chunks"] as? Int == 1)
    }
}
