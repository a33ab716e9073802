import Foundation
import Testing

/// Reports a tired operator reads correctly: how much of a damaged file differs, which entries
/// a directory group holds.
struct ReportWordingTests {
    @Test func oneFlippedBitReadsAsOneDamagedChunkNotAWholeFile() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var bytes = Scratch.bytes(count: 20_000_000, seed: 4)
        let file = source.appendingPathComponent("disk.img")
        try Data(bytes).write(to: file)
        let manifest = work.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", source.path, "-o", manifest]).status == 0)
        bytes[12_345_678] ^= 0x04
        try Data(bytes).write(to: file)
        let result = try CLIRunner.run(["verify", manifest, source.path, "--metadata", "ignore"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // The verdict separates the damaged chunk from the file's size.
        #expect(lines[0].hasPrefix("NOT VERIFIED: 1 file damaged ("), "\(lines[0])")
        #expect(lines[0].contains(" in 1 damaged chunk, in files of 20.0 MB)"), "\(lines[0])")
        #expect(lines.contains { $0.hasPrefix("content: 1 entry (files of 20.0 MB; ") })
        let detail = try #require(lines.first { $0.hasPrefix("  disk.img: damaged chunk at bytes ") })
        #expect(detail.contains("in 1 chunk; the differences lie within, not necessarily in every byte)"))
        // The chunk holds the flipped byte and is at most the maximum chunk size (4 MiB).
        let json = try CLIRunner.run(["verify", manifest, source.path, "--metadata", "ignore", "--json"])
        let finding = try #require(try TrustTests.jsonLines(json.stdout).first { $0["kind"] as? String == "content" })
        let range = try #require((finding["ranges"] as? [[Int]])?.first)
        #expect(range[0] <= 12_345_678 && 12_345_678 < range[0] + range[1] && range[1] <= 4 << 20)
        let summary = try #require(try TrustTests.jsonLines(json.stdout).last?["findings"] as? [String: [String: Int]])
        #expect(summary["content"]?["differing_bytes"] == range[1] && summary["content"]?["differing_chunks"] == 1)
        #expect(summary["content"]?["bytes"] == 20_000_000)
    }

    @Test func aDirectoryGroupNamesItsEntries() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("source")
        let srv = source.appendingPathComponent("srv")
        try FileManager.default.createDirectory(at: srv, withIntermediateDirectories: true)
        for index in 1...7 { try Data("file \(index)".utf8).write(to: srv.appendingPathComponent("f\(index)")) }
        try Data("kept".utf8).write(to: source.appendingPathComponent("kept"))
        let manifest = work.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", source.path, "-o", manifest]).status == 0)
        try FileManager.default.removeItem(at: srv)
        let result = try CLIRunner.run(["verify", manifest, source.path, "--metadata", "ignore"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("  srv/ — 8 entries, 42 bytes") })
        #expect(Array(lines[(start + 1)...(start + 6)]) == [
            "    srv", "    srv/f1 (6 bytes)", "    srv/f2 (6 bytes)", "    srv/f3 (6 bytes)", "    srv/f4 (6 bytes)",
            "    … and 3 more",
        ])
    }

    @Test func byDirectoryLinesAddUpToTheSummary() throws {
        let manifest = SpotCheckAndDiffCommandTests.manifest
        let json = try CLIRunner.run(["verify", manifest, SpotCheckAndDiffCommandTests.backup, "--metadata", "ignore", "--json", "--by-dir", "1"])
        let objects = try TrustTests.jsonLines(json.stdout)
        let directories = objects.filter { $0["type"] as? String == "directory" }
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect(directories.map { $0["path"] as! String } == ["./", "finance/", "photos/", "projects/"])
        for key in ["expected_files", "expected_bytes", "intact_files", "intact_bytes"] {
            #expect(directories.reduce(0) { $0 + ($1[key] as! Int) } == summary[key] as? Int, "\(key)")
        }
        // Without --by-dir, JSON has no directory lines; the text report shows depth 1 when
        // something was found.
        let plain = try CLIRunner.run(["verify", manifest, SpotCheckAndDiffCommandTests.backup, "--metadata", "ignore", "--json"])
        #expect(!plain.stdout.contains("\"directory\""))
        let text = try CLIRunner.run(["verify", manifest, SpotCheckAndDiffCommandTests.backup, "--metadata", "ignore"])
        #expect(text.stdout.contains("by directory:\n  finance/ — 1 of 2 files proven intact (55.2 kB of 69.8 kB); 1 missing\n"))
        let clean = try CLIRunner.run(["verify", manifest, SpotCheckAndDiffCommandTests.source, "--metadata", "ignore"])
        #expect(!clean.stdout.contains("by directory:"))
    }
}
