import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// Spot-checks of archives that can be read at any place (uncompressed tar, zip), and the
/// refusal of those that cannot; and the in-place reading of a plain tar's members, which must
/// say exactly what streaming them says.
struct ArchiveSpotCheckTests {
    typealias Fixture = ArchiveVerificationTests.Fixture

    /// The fixture's manifest at small chunks, so that its 400 kB file has dozens.
    static func manifest(_ fixture: Fixture) throws -> FilePath {
        let manifest = FilePath(fixture.scratch.path + "/small-chunks.manifest")
        let chunking = try ChunkingParameters(minSize: 2048, avgSize: 8192, maxSize: 65536)
        _ = try SnapshotBuilder.writeManifest(
            of: FilePath(fixture.tree.root.path), to: manifest, options: SnapshotOptions(chunking: chunking))
        return manifest
    }

    @Test(arguments: [("pax.tar", "tar --format=pax -cf OUT ."), ("gnu.tar", "tar --format=gnu -cf OUT ."), ("tree.zip", "zip -qry OUT .")])
    func aSampleOfEveryChunkIsAFullVerification(_ name: String, _ command: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let manifest = try Self.manifest(fixture)
        let archive = try fixture.make(name, command)
        let options = VerifyOptions(metadata: .ignore)
        let result = try SpotCheck.run(manifest: manifest, archive: archive, sample: .fraction(1), seed: 1, options: options)
        let full = try Verifier.verify(manifest: manifest, archive: archive, options: options)
        #expect(full.verified)
        #expect(result.verdict == .verified, "\(result.sampledChunks) of \(result.totalChunks)")
        #expect(result.sampledChunks == result.totalChunks && result.matchedChunks == result.totalChunks)
        #expect(result.report.intactFiles == full.intactFiles && result.report.intactBytes == full.intactBytes)
    }

    @Test func aSmallSampleReadsOnlyItsChunksAndStillSeesEveryEntry() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let manifest = try Self.manifest(fixture)
        // The same changes as in everyFindingKindInsideAnArchive, damage included.
        let root = fixture.tree.root.path
        try fixture.overwrite("docs/big.bin", at: 200_000, with: [1, 2, 3])
        try FileManager.default.removeItem(atPath: root + "/deep/er/leaf")
        fixture.tree.file("stray", "not in the manifest\n")
        try FileManager.default.removeItem(atPath: root + "/current")
        fixture.tree.symlink("current", to: "elsewhere")
        try FileManager.default.removeItem(atPath: root + "/empty")
        fixture.tree.file("empty", "now a file\n")
        fixture.tree.file("docs/note.txt", "remember the milk and the eggs\n")
        let archive = try fixture.make("changed.tar", "tar --format=pax -cf OUT .")
        var findings: [Finding] = []
        var lastProgress = VerificationProgress()
        let result = try SpotCheck.run(
            manifest: manifest, archive: archive, sample: .chunks(3), seed: 7, options: VerifyOptions(metadata: .ignore),
            finding: { findings.append($0) }, progress: { lastProgress = $0 })
        // Structure is complete whatever the sample: missing, extra, symlink, type, size.
        let counting = Set(findings.filter(\.counts).filter { $0.kind != .content || $0.displayPath != "docs/big.bin" }
            .map { "\($0.kind) \($0.displayPath)" })
        // (`hard` is a hard link to docs/note.txt, so its content changed too.)
        #expect(counting == ["missing deep/er/leaf", "extra stray", "symlink current", "type empty", "content docs/note.txt", "content hard"])
        // Whichever of the two names tar stored with the data shows the new size (the other is
        // a link to it).
        let note = try #require(findings.first { $0.kind == .content && !$0.detail.contains("hard link") })
        #expect(note.sampled && note.sizeChange == 13, "\(note)")
        #expect(findings.contains { $0.kind == .content && $0.detail.contains("a hard link to") })
        #expect(result.verdict == .notVerified && !result.report.complete)
        // At most the 3 chunks asked for; read in place, nothing else of any member.
        #expect(result.sampledChunks <= 3 && result.sampledChunks >= 1)
        #expect(lastProgress.readBytes == result.sampledBytes)
        // The same seed chooses the same chunks.
        let again = try SpotCheck.run(manifest: manifest, archive: archive, sample: .chunks(3), seed: 7, options: VerifyOptions(metadata: .ignore))
        #expect(again == result)
    }

    @Test func aSampleFindsTheDamagedChunkWhenItIsChosenAndOnlyThen() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let manifest = try Self.manifest(fixture)
        try fixture.overwrite("docs/big.bin", at: 200_000, with: [1, 2, 3])
        let reader = try ManifestReader(path: manifest)
        var entry: TreeEntry?
        while let next = try reader.next() {
            if next.path == Array("docs/big.bin".utf8) { entry = next }
        }
        let damaged = try #require(entry)
        let hit = try #require(damaged.chunks.first { $0.offset <= 200_000 && $0.offset + UInt64($0.length) > 200_002 })
        for (name, command) in [("pax.tar", "tar --format=pax -cf OUT ."), ("tree.zip", "zip -qry OUT .")] {
            let archive = try fixture.make(name, command)
            for seed in UInt64(1)...6 {
                var findings: [Finding] = []
                let result = try SpotCheck.run(
                    manifest: manifest, archive: archive, sample: .fraction(0.3), seed: seed, options: VerifyOptions(metadata: .ignore)
                ) { findings.append($0) }
                let content = findings.filter { $0.kind == .content }
                // Either the damaged chunk was chosen and is the one range reported, or nothing is.
                #expect(content.isEmpty || content.map(\.ranges) == [[Finding.ByteRange(offset: hit.offset, length: UInt64(hit.length))]],
                        "\(name) seed \(seed)")
                #expect(result.matchedChunks == result.sampledChunks - content.count, "\(name) seed \(seed)")
                #expect(result.verdict == (content.isEmpty ? .noDamageFoundInSample : .notVerified))
            }
        }
    }

    @Test func anArchiveCompressedAsAWholeIsRefused() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        for (name, command) in [("pax.tar.gz", "tar --format=pax -czf OUT ."), ("gnu.tar.zst", "tar -cf - . | zstd -q -o OUT")] {
            let archive = try fixture.make(name, command)
            #expect {
                try SpotCheck.run(manifest: fixture.manifest, archive: archive)
            } throws: { error in
                guard let error = error as? SnapCheckError else { return false }
                return error.code == .invalidArgument && error.reason.contains("compressed as a whole")
            }
        }
    }

    /// The same damaged plain tar read in place (a file) and streamed (a pipe): the same
    /// findings, in the same order, and the same report.
    @Test func readingInPlaceSaysWhatStreamingSays() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // A file large enough to be checked in parts by several workers.
        var huge = FixtureInput.random(seed: 5, count: 40 << 20)
        fixture.tree.file(Array("docs/huge.bin".utf8), huge)
        let manifest = try Self.manifest(fixture)
        let root = fixture.tree.root.path
        var content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/docs/big.bin")))
        content.insert(contentsOf: [9, 9, 9, 9, 9], at: 150_000)
        content[300_000] ^= 0xFF
        try Data(content).write(to: URL(fileURLWithPath: root + "/docs/big.bin"))
        huge[30_000_000] ^= 0xFF
        try Data(huge).write(to: URL(fileURLWithPath: root + "/docs/huge.bin"))
        fixture.tree.file("stray", "not in the manifest\n")
        try FileManager.default.removeItem(atPath: root + "/deep/er/leaf")
        let archive = try fixture.make("changed.tar", "tar --format=pax -cf OUT .")
        let options = VerifyOptions(threads: 2)
        var inPlace: [Finding] = []
        let fileReport = try Verifier.verify(manifest: manifest, archive: archive, options: options) { inPlace.append($0) }
        var streamed: [Finding] = []
        let pipeReport = try ArchiveVerificationTests.verifyThroughPipe(manifest, archive, options: options) { streamed.append($0) }
        #expect(inPlace == streamed)
        #expect(fileReport == pipeReport)
        #expect(Set(inPlace.filter(\.counts).map { "\($0.kind) \($0.displayPath)" }) == ["content docs/big.bin", "content docs/huge.bin", "extra stray", "missing deep/er/leaf"])
        let big = try #require(inPlace.first { $0.kind == .content && $0.displayPath == "docs/big.bin" })
        #expect(big.sizeChange == 5 && big.ranges.count == 2)
        let damagedHuge = try #require(inPlace.first { $0.kind == .content && $0.displayPath == "docs/huge.bin" })
        #expect(damagedHuge.ranges.count == 1 && damagedHuge.ranges[0].offset <= 30_000_000
            && damagedHuge.ranges[0].offset + damagedHuge.ranges[0].length > 30_000_000)
    }

    /// Tallies by directory (`--by-dir`) of an archive are those of the tree it was made from.
    @Test func talliesByDirectoryAreTheTreesTallies() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let root = fixture.tree.root.path
        try fixture.overwrite("docs/big.bin", at: 200_000, with: [1, 2, 3])
        try FileManager.default.removeItem(atPath: root + "/deep/er/leaf")
        fixture.tree.file("deep/stray", "not in the manifest\n")
        var options = VerifyOptions(metadata: .ignore)
        options.directoryDepth = 1
        let fromTree = try Verifier.verify(manifest: fixture.manifest, target: FilePath(root), options: options)
        for (name, command) in [("pax.tar", "tar --format=pax -cf OUT ."), ("pax.tar.zst", "tar --format=pax -cf - . | zstd -q -o OUT")] {
            let archive = try fixture.make(name, command)
            let fromArchive = try Verifier.verify(manifest: fixture.manifest, archive: archive, options: options)
            #expect(fromArchive.directories.map(\.displayPath) == ["./", "deep/", "docs/"], "\(name)")
            #expect(fromArchive.directories == fromTree.directories, "\(name)")
        }
    }
}
