import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Manifests recorded in parts: merged, they are the manifest of one run, byte for byte.
struct ManifestPartTests {
    /// The bytes of a manifest without its `created` line (the only line that may differ).
    static func withoutCreation(_ path: String) throws -> [Substring] {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("created ") }
    }

    @Test func partsMergeToTheManifestOfOneRun() throws {
        let scenario = try ShardTests.Scenario()
        defer { scenario.remove() }
        let scratch = try TestSupport.temporaryDirectory()
        let root = FilePath(scenario.source.root.path)
        let options = SnapshotOptions(chunking: VerifierTests.parameters, threads: 2)
        let single = scratch.appendingPathComponent("single.manifest").path
        let whole = try SnapshotBuilder.writeManifest(of: root, to: FilePath(single), options: options)
        for count in [1, 2, 3, 7] {
            for balanced in [false, true] {
                let parts = try (1...count).map { index -> FilePath in
                    let part = FilePath(scratch.appendingPathComponent("part-\(index)-\(count)-\(balanced).gz").path)
                    _ = try SnapshotBuilder.writeManifestPart(
                        of: root, to: part, shard: Shard(index, of: count), balancedBy: balanced ? FilePath(single) : nil,
                        options: options)
                    return part
                }
                let merged = scratch.appendingPathComponent("merged-\(count)-\(balanced).manifest").path
                let summary = try ManifestMerge.merge(parts: parts.reversed(), to: FilePath(merged))
                #expect(summary.snapshotID == whole.snapshotID, "\(count) parts")
                #expect(try Self.withoutCreation(merged) == Self.withoutCreation(single), "\(count) parts")
            }
        }
    }

    /// The cuts from walking a tree (one walk, then short walks from marks every 1,024
    /// entries) are the cuts from its manifest, found by reading every entry.
    @Test func walkingFindsTheCutsTheManifestGives() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        for directory in 0..<6 {
            tree.directory("d\(directory)")
            for index in 0..<600 {
                tree.file(Array("d\(directory)/f\(index)".utf8), FixtureInput.random(seed: UInt64(directory * 1000 + index), count: (index * 37) % 3000))
            }
        }
        let manifest = FilePath(try TestSupport.temporaryDirectory().appendingPathComponent("m").path)
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: manifest, options: SnapshotOptions(chunking: VerifierTests.parameters))
        for count in [1, 2, 3, 7] {
            for index in 1...count {
                let shard = try Shard(index, of: count)
                let walked = try ShardRange.plan(walking: FilePath(tree.root.path), options: WalkOptions(), shard: shard)
                let read = try ShardRange.plan(manifest: manifest, shard: shard, splitsFiles: false)
                #expect(walked.start == read.start && walked.end == read.end && walked.bytes == read.bytes, "\(shard)")
            }
        }
    }

    @Test func mergeRefusesPartsThatDoNotFit() throws {
        let scenario = try ShardTests.Scenario()
        defer { scenario.remove() }
        let scratch = try TestSupport.temporaryDirectory()
        let root = FilePath(scenario.source.root.path)
        let options = SnapshotOptions(chunking: VerifierTests.parameters)
        func part(_ index: Int, of count: Int, root: FilePath = root, name: String = "") throws -> FilePath {
            let path = FilePath(scratch.appendingPathComponent("p\(index)-\(count)\(name)").path)
            _ = try SnapshotBuilder.writeManifestPart(of: root, to: path, shard: Shard(index, of: count), options: options)
            return path
        }
        let three = try (1...3).map { try part($0, of: 3) }
        func refusal(_ parts: [FilePath]) -> String? {
            do {
                _ = try ManifestMerge.merge(parts: parts, to: FilePath(scratch.appendingPathComponent("out").path))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal([three[0], three[2]])?.contains("missing part 2/3") == true)
        #expect(refusal(three + [three[1]])?.contains("given twice") == true)
        #expect(refusal([three[0], try part(2, of: 2), three[2]])?.contains("another number of parts") == true)
        // A part of a tree that changed (here: another tree) does not meet its neighbours.
        let other = try TreeBuilder()
        defer { other.remove() }
        other.file("only", "one")
        #expect(refusal([three[0], try part(2, of: 3, root: FilePath(other.root.path), name: "other"), three[2]])?.contains("do not meet") == true)
        let single = FilePath(scratch.appendingPathComponent("single").path)
        _ = try SnapshotBuilder.writeManifest(of: root, to: single, options: options)
        #expect(refusal([single])?.contains("whole manifest") == true)
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out").path))
        // A part alone is no manifest: every other reader refuses it.
        #expect(throws: SnapCheckError.self) { try ManifestReader(path: three[1]) }
        #expect(throws: SnapCheckError.self) {
            try Verifier.verify(manifest: three[1], target: root)
        }
    }
}
