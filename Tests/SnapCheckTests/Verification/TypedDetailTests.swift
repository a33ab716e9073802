import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Details a program reads as values, not only as English text.
struct TypedDetailTests {
    typealias Scenario = VerifierTests.Scenario

    @Test func metadataChangesCarryModesAndTimes() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let path = scenario.path("readme")
        #expect(chmod(path, 0o600) == 0)
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 5), timespec(tv_sec: 1_000_000_000, tv_nsec: 5)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var findings: [Finding] = []
        _ = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path)) { findings.append($0) }
        let change = try #require(findings.first { $0.displayPath == "readme" }?.metadataChange)
        #expect(change.actualMode == 0o600 && change.expectedMode != 0o600)
        #expect(change.actualModificationTime == FileTime(seconds: 1_000_000_000, nanoseconds: 5))
        #expect(change.expectedModificationTime != change.actualModificationTime)
    }

    @Test func manifestErrorsCarryTheirLine() throws {
        let text = try ManifestTests.sampleText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix("dir\t") })
        let broken = ManifestTests.mutate(text) { $0[index] = "door\tx\t0644\t0\t0\tok" }
        let error = try #require(try ManifestTests.readError(broken))
        #expect(error.line == index + 1)
        #expect(error.description.contains("line \(index + 1): not an entry line"))
    }

    @Test func diffsCarryTheOldSize() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.rewrite("docs/note.txt", Array("a longer note than before\n".utf8))
        let newer = try ManifestDiffTests.manifest(of: scenario)
        var changes: [ManifestDiff.Change] = []
        _ = try ManifestDiff.compare(old: FilePath(scenario.manifest), new: FilePath(newer)) { changes.append($0) }
        let note = try #require(changes.first { $0.displayPath == "docs/note.txt" })
        #expect(note.oldSize == UInt64("remember the milk\n".utf8.count))
        #expect(note.size == UInt64("a longer note than before\n".utf8.count))
    }

    @Test func progressWithoutTheCountingWalk() throws {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        var options = SnapshotOptions()
        options.countsTotals = false
        var reports: [SnapshotProgress] = []
        try SnapshotBuilder.build(root: FilePath(tree.root.path), options: options, progress: { reports.append($0) }) { _ in }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.totalFiles == nil && $0.totalBytes == nil })
        #expect(reports.last?.entries == (try tree.entries()).count)
    }
}
