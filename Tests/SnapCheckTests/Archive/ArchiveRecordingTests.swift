import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// Recording an archive as a manifest: tree order from any member order, in bounded memory.
struct ArchiveRecordingTests {
    typealias Fixture = ArchiveVerificationTests.Fixture

    @Test func aPaxArchiveHasItsTreesSnapshotID() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let tree = try ManifestReader(path: fixture.manifest).validate()
        // Members in an order that is not the tree's (find's order, reversed).
        let archive = try fixture.make("reversed.tar.gz", "find . -mindepth 1 | sort -r | tar --format=pax --no-recursion -czf OUT -T -")
        let output = FilePath(fixture.scratch.path + "/from-archive.manifest")
        let summary = try SnapshotBuilder.writeManifest(ofArchive: archive, to: output)
        #expect(summary.snapshotID == tree.snapshotID)
        #expect(summary == tree)
    }

    @Test func wholeSecondFormatsDifferOnlyInTime() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        for (name, command) in [("gnu.tar", "tar --format=gnu -cf OUT ."), ("newc.cpio", "find . | cpio -o -H newc 2>/dev/null > OUT")] {
            let archive = try fixture.make(name, command)
            let output = FilePath(fixture.scratch.path + "/\(name).manifest")
            _ = try SnapshotBuilder.writeManifest(ofArchive: archive, to: output)
            var changes: [String] = []
            _ = try ManifestDiff.compare(old: fixture.manifest, new: output) { changes.append("\($0.kind) \($0.displayPath)") }
            #expect(changes.allSatisfy { $0.hasPrefix("metadata ") }, "\(name): \(changes)")
            // The content, hard links included, is the tree's.
            #expect(try Verifier.verify(manifest: output, target: FilePath(fixture.tree.root.path), options: VerifyOptions(metadata: .ignore)).verified)
        }
    }

    @Test func aDamagedArchiveWritesNoManifest() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let archive = try fixture.make("cut.tar", "tar --format=pax -cf - . | head -c 100000 > OUT")
        let output = FilePath(fixture.scratch.path + "/cut.manifest")
        #expect(throws: SnapCheckError.self) { try SnapshotBuilder.writeManifest(ofArchive: archive, to: output) }
        #expect(!FileManager.default.fileExists(atPath: output.string))
    }

    @Test func theSorterSpillsRunsAndMergesThemInTreeOrderLaterWinning() throws {
        let sorter = EntrySorter(budget: 1000)  // a run every few entries
        var expected: [[UInt8]] = []
        var generator = SystemRandomNumberGenerator()
        var names = (0..<500).map { "d\($0 % 7)/f\($0)" } + (0..<7).map { "d\($0)" } + ["a-b", "a/x", "a"]
        names.shuffle(using: &generator)
        for name in names {
            let isDirectory = name.hasPrefix("d") && !name.contains("/") || name == "a"
            try sorter.add(TreeEntry(path: Array(name.utf8), kind: isDirectory ? .directory : .file, mode: 0o644,
                                     modificationTime: FileTime(seconds: 1)))
        }
        // A path that comes again later: the later entry wins.
        try sorter.add(TreeEntry(path: Array("d3/f10".utf8), kind: .file, mode: 0o600, modificationTime: FileTime(seconds: 2)))
        var sorted: [TreeEntry] = []
        try sorter.forEachSorted { sorted.append($0) }
        expected = names.map { Array($0.utf8) }
        #expect(sorted.count == expected.count)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy {
            TreeOrder.compare($0.path, isDirectory: $0.kind == .directory, $1.path, isDirectory: $1.kind == .directory) < 0
        })
        #expect(sorted.first { $0.path == Array("d3/f10".utf8) }?.mode == 0o600)
        // And again, the same.
        var again: [TreeEntry] = []
        try sorter.forEachSorted { again.append($0) }
        #expect(again == sorted)
    }
}
