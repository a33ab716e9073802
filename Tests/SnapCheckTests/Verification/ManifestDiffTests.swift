import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

struct ManifestDiffTests {
    typealias Scenario = VerifierTests.Scenario

    /// A manifest of the scenario's (changed) target, with the given chunking.
    static func manifest(of scenario: Scenario, _ parameters: ChunkingParameters = VerifierTests.parameters) throws -> String {
        let path = scenario.target.deletingLastPathComponent().appendingPathComponent("new-\(parameters.avgSize).manifest").path
        let writer = try ManifestWriter(path: FilePath(path), parameters: parameters)
        try SnapshotBuilder.build(root: FilePath(scenario.target.path), options: SnapshotOptions(chunking: parameters)) { try writer.append($0) }
        _ = try writer.finish()
        return path
    }

    static func diff(_ old: String, _ new: String) throws -> (ManifestDiff.Summary, [String]) {
        var changes: [String] = []
        let summary = try ManifestDiff.compare(old: FilePath(old), new: FilePath(new)) { change in
            var text = "\(change.kind.rawValue) \(change.displayPath)"
            if let from = change.oldPath { text += " <- \(PathEscaping.escape(from))" }
            if change.kind == .modified && change.totalChunks > 0 { text += " \(change.changedChunks)/\(change.totalChunks)" }
            changes.append(text)
        }
        return (summary, changes)
    }

    @Test func identicalSnapshots() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let (summary, changes) = try Self.diff(scenario.manifest, try Self.manifest(of: scenario))
        #expect(changes.isEmpty && summary.identical)
        #expect(summary.sharedBytes == summary.newBytes)
        #expect(!summary.sharedIsEstimate)
    }

    @Test func everyKindOfChange() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var big = scenario.original("docs/big.bin")
        big.insert(contentsOf: Array("INSERTED".utf8), at: 150_000)
        try scenario.rewrite("docs/big.bin", big)
        try FileManager.default.moveItem(atPath: scenario.path("docs/other.bin"), toPath: scenario.path("docs/renamed.bin"))
        try FileManager.default.removeItem(atPath: scenario.path("swap-a"))
        try Data("brand new".utf8).write(to: URL(fileURLWithPath: scenario.path("added.txt")))
        try FileManager.default.removeItem(atPath: scenario.path("readme"))
        try FileManager.default.createDirectory(atPath: scenario.path("readme"), withIntermediateDirectories: false)
        try FileManager.default.removeItem(atPath: scenario.path("current"))
        try FileManager.default.createSymbolicLink(atPath: scenario.path("current"), withDestinationPath: "docs")
        _ = try TestSupport.run("/usr/bin/touch", ["-h", "-r", scenario.source.root.path + "/current", scenario.path("current")])
        #expect(chmod(scenario.path("swap-b"), 0o600) == 0)
        // Keep directory mtimes as they were, to see only the changes made on purpose.
        for directory in ["", "/docs"] {
            _ = try TestSupport.run("/usr/bin/touch", ["-r", scenario.source.root.path + directory, scenario.target.path + directory])
        }
        let (summary, changes) = try Self.diff(scenario.manifest, try Self.manifest(of: scenario))
        #expect(!summary.identical)
        #expect(changes.contains { $0.hasPrefix("modified docs/big.bin ") })
        let modified = changes.first { $0.hasPrefix("modified docs/big.bin ") }!
        let counts = modified.split(separator: " ").last!.split(separator: "/").map { Int($0)! }
        #expect(counts[0] >= 1 && counts[0] <= 3 && counts[1] > 40)  // an insertion changes few chunks
        #expect(changes.contains("moved docs/renamed.bin <- docs/other.bin"))
        #expect(changes.contains("removed swap-a"))
        #expect(changes.contains("added added.txt"))
        #expect(changes.contains("type readme"))
        #expect(changes.contains("symlink current"))
        #expect(changes.contains("metadata swap-b"))
        #expect(summary.counts[.moved] == 1 && summary.counts[.added] == 1 && summary.counts[.removed] == 1)
        #expect(summary.bytesAdded < 3 * 16384 + 100)
        // Shared content: everything but the changed chunks and the new files.
        #expect(summary.sharedBytes + summary.bytesAdded >= summary.newBytes - 100)
    }

    @Test func differentChunkingComparesWholeFiles() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("readme", at: 0, with: Array("J".utf8))
        let other = try Self.manifest(of: scenario, .default)
        let (summary, changes) = try Self.diff(scenario.manifest, other)
        #expect(summary.differentChunking)
        #expect(changes.contains("modified readme"))
        // Small files are one chunk under both: comparable and equal. The big files are not.
        #expect(changes.contains("uncomparable docs/big.bin"))
        #expect(!changes.contains { $0.contains("note.txt") })
    }

    @Test func aDirectoryThatBecameUnreadableIsAChange() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for status in [TreeEntry.Status.ok, .unreadable] {
            let path = directory.appendingPathComponent(status.rawValue).path
            let writer = try ManifestWriter(path: FilePath(path), parameters: .default)
            try writer.append(TreeEntry(path: Array("data".utf8), kind: .directory, mode: 0o755, modificationTime: FileTime(seconds: 5), status: status))
            _ = try writer.finish()
            paths.append(path)
        }
        var details: [String] = []
        let summary = try ManifestDiff.compare(old: FilePath(paths[0]), new: FilePath(paths[1])) { details.append("\($0.kind.rawValue) \($0.displayPath) \($0.detail)") }
        #expect(!summary.identical)
        #expect(details == ["modified data recorded as ok -> unreadable"])
    }
}

extension ManifestDiffTests {
    /// Beyond 65,536 chunks shared content is estimated from a sample of them: the estimate is a
    /// share of the new bytes, never more than all of them, exact when everything is shared.
    @Test func theSharedEstimateIsNeverAboveTheNewBytes() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let scratch = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // About 90,000 chunks of about 320 bytes.
        let parameters = try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024)
        var bytes = FixtureInput.random(seed: 3, count: 30_000_000)
        tree.file(Array("data.bin".utf8), bytes)
        let options = SnapshotOptions(chunking: parameters)
        let old = FilePath(scratch.path + "/old")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: old, options: options)
        let same = try ManifestDiff.compare(old: old, new: old) { _ in }
        #expect(same.sharedIsEstimate)
        #expect(same.sharedBytes == same.newBytes)
        // The second half replaced: about half shared, and never more than the new bytes.
        let replacement = FixtureInput.random(seed: 4, count: 15_000_000)
        bytes.replaceSubrange(15_000_000..<30_000_000, with: replacement)
        tree.file(Array("data.bin".utf8), bytes)
        let new = FilePath(scratch.path + "/new")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: new, options: options)
        let half = try ManifestDiff.compare(old: old, new: new) { _ in }
        #expect(half.sharedBytes <= half.newBytes)
        let share = Double(half.sharedBytes) / Double(half.newBytes)
        #expect(share > 0.4 && share < 0.6, "shared \(share)")
    }
}

extension ManifestDiffTests {
    /// A modified file's changed chunks are exactly its chunks whose digest is nowhere in the old
    /// file: counted here from both whole chunk lists with a set, where the diff streams the new
    /// list past the old digests (in order while they match, then by search).
    @Test(arguments: ["halves swapped", "middle rewritten", "cut short", "grown", "same"])
    func changedChunksAreTheNewChunksNotInTheOldFile(change: String) throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let scratch = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let options = SnapshotOptions(chunking: try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024))
        let original = FixtureInput.random(seed: 5, count: 1_000_000)
        tree.file(Array("data.bin".utf8), original)
        let old = FilePath(scratch.path + "/old")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: old, options: options)
        var bytes = original
        switch change {
        case "halves swapped": bytes = Array(original[500_000...] + original[..<500_000])
        case "middle rewritten": bytes.replaceSubrange(400_000..<420_000, with: FixtureInput.random(seed: 6, count: 20_000))
        case "cut short": bytes = Array(original.prefix(600_000))
        case "grown": bytes += FixtureInput.random(seed: 7, count: 50_000)
        default: break
        }
        tree.file(Array("data.bin".utf8), bytes)
        let new = FilePath(scratch.path + "/new")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: new, options: options)

        func chunks(_ manifest: FilePath) throws -> [Chunk] {
            let reader = try ManifestReader(path: manifest)
            var chunks: [Chunk] = []
            while let entry = try reader.next() { chunks += entry.chunks }
            return chunks
        }
        let before = Set(try chunks(old).map(\.digest))
        let after = try chunks(new)
        let changed = after.filter { !before.contains($0.digest) }
        var found: [ManifestDiff.Change] = []
        _ = try ManifestDiff.compare(old: old, new: new) { found.append($0) }
        let content = found.filter { $0.kind == .modified }
        if change == "same" {
            #expect(content.isEmpty)
            return
        }
        #expect(content.count == 1)
        #expect(content.first?.changedChunks == changed.count)
        #expect(content.first?.changedBytes == changed.reduce(0) { $0 + UInt64($1.length) })
        #expect(content.first?.totalChunks == after.count)
        // Most chunks survive each change: the search, not only the walk in order, found them.
        #expect(after.count > 1500 && changed.count < after.count / 10, "\(changed.count) of \(after.count)")
    }
}
