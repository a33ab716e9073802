import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// Progress as a display needs it: totals, the entry reached, and bytes that move while one
/// large file is being read (not only when it is done).
struct ProgressTests {
    static let size = 32 << 20
    /// The large file's bytes, made once for all the tests.
    static let content = FixtureInput.random(seed: 5, count: size)

    /// A tree with one large file and a small one, and its manifest.
    struct LargeFile {
        let tree: TreeBuilder
        let manifest: FilePath

        init() throws {
            tree = try TreeBuilder()
            tree.directory("data")
            tree.file(Array("data/disk.img".utf8), ProgressTests.content)
            tree.file("data/note", "small\n")
            manifest = FilePath(tree.root.path + ".manifest")
            _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: manifest)
        }

        func remove() {
            tree.remove()
            unlink(manifest.string)
        }
    }

    static func quickOptions() -> VerifyOptions {
        var options = VerifyOptions(metadata: .ignore, threads: 1)
        options.progressInterval = .milliseconds(1)
        return options
    }

    @Test func verificationProgressMovesInsideALargeFile() throws {
        let fixture = try LargeFile()
        defer { fixture.remove() }
        var reports: [VerificationProgress] = []
        let report = try Verifier.verify(
            manifest: fixture.manifest, target: FilePath(fixture.tree.root.path), options: Self.quickOptions(),
            progress: { reports.append($0) })
        #expect(report.verified)
        // Reports came while the large file was read: some bytes, not all, no file done yet.
        #expect(reports.contains { $0.checkedFiles == 0 && $0.readBytes > 0 && $0.readBytes < UInt64(Self.size) })
        #expect(reports.contains { $0.currentPath == FilePath("data/disk.img") })
        // The bytes only grow, and end at everything read.
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.readBytes <= $1.readBytes })
        #expect(reports.last?.readBytes == UInt64(Self.size) + 6)
        #expect(reports.last?.checkedFiles == 2)
        // Totals, when they are known, are the manifest's.
        #expect(reports.allSatisfy { $0.expectedFiles == nil || ($0.expectedFiles == 2 && $0.expectedBytes == UInt64(Self.size) + 6) })
    }

    @Test func entriesInMemoryGiveTotalsFromTheStart() throws {
        let fixture = try LargeFile()
        defer { fixture.remove() }
        let reader = try ManifestReader(path: fixture.manifest)
        var entries: [TreeEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        var reports: [VerificationProgress] = []
        _ = try Verifier.verify(
            entries: entries, parameters: reader.parameters, target: FilePath(fixture.tree.root.path), options: Self.quickOptions(),
            progress: { reports.append($0) })
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.expectedFiles == 2 && $0.expectedBytes == UInt64(Self.size) + 6 })
    }

    @Test func withoutCountingThereAreNoTotals() throws {
        let fixture = try LargeFile()
        defer { fixture.remove() }
        var options = Self.quickOptions()
        options.countsTotals = false
        var reports: [VerificationProgress] = []
        _ = try Verifier.verify(
            manifest: fixture.manifest, target: FilePath(fixture.tree.root.path), options: options, progress: { reports.append($0) })
        #expect(!reports.isEmpty && reports.allSatisfy { $0.expectedFiles == nil && $0.expectedBytes == nil })
    }

    @Test func recordingProgressMovesInsideALargeFile() throws {
        let fixture = try LargeFile()
        defer { fixture.remove() }
        var options = SnapshotOptions(threads: 1)
        options.progressInterval = .milliseconds(1)
        var reports: [SnapshotProgress] = []
        try SnapshotBuilder.build(root: FilePath(fixture.tree.root.path), options: options, progress: { reports.append($0) }) { _ in }
        #expect(reports.contains { $0.files == 0 && $0.readBytes > 0 && $0.readBytes < UInt64(Self.size) })
        #expect(reports.contains { $0.currentPath == FilePath("data/disk.img") })
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.readBytes <= $1.readBytes })
        #expect(reports.last?.readBytes == UInt64(Self.size) + 6)
        #expect(reports.allSatisfy { $0.totalFiles == nil || ($0.totalFiles == 2 && $0.totalBytes == UInt64(Self.size) + 6) })
    }

    @Test func archiveProgressMovesInsideALargeMember() throws {
        let fixture = try LargeFile()
        defer { fixture.remove() }
        let archive = FilePath(fixture.tree.root.path + ".tar")
        defer { unlink(archive.string) }
        _ = try TestSupport.run("/bin/sh", ["-c", "tar --format=pax -C '\(fixture.tree.root.path)' -cf '\(archive.string)' ."])
        var reports: [VerificationProgress] = []
        let report = try Verifier.verify(
            manifest: fixture.manifest, archive: archive, options: Self.quickOptions(), progress: { reports.append($0) })
        #expect(report.verified)
        #expect(reports.contains { $0.checkedFiles == 0 && $0.readBytes > 0 && $0.readBytes < UInt64(Self.size) })
        #expect(reports.allSatisfy { $0.expectedFiles == 2 && $0.expectedBytes == UInt64(Self.size) + 6 })
        #expect(reports.last?.checkedFiles == 2 && reports.last?.readBytes == UInt64(Self.size) + 6)
    }
}
