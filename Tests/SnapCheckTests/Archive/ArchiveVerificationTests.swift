import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// Verifying archives made by the real tools (GNU tar, zstd, xz, bzip2, zip, cpio) against a
/// manifest of the tree they were made from: every format, every finding kind, damage.
struct ArchiveVerificationTests {
    /// A source tree with every kind of entry, its manifest, and a scratch folder for archives.
    struct Fixture {
        let tree: TreeBuilder
        let scratch: URL
        let manifest: FilePath

        init() throws {
            tree = try TreeBuilder()
            tree.directory("docs")
            tree.file(Array("docs/big.bin".utf8), FixtureInput.random(seed: 41, count: 400_000))
            tree.file("docs/note.txt", "remember the milk\n")
            tree.directory("empty")
            tree.directory("deep")
            tree.directory("deep/er")
            tree.file("deep/er/leaf", "leaf\n")
            tree.symlink("current", to: "docs/note.txt")
            tree.file(Array("caf".utf8) + [0xE9], Array("latin-1 name\n".utf8))
            tree.file(String(repeating: "long-name-", count: 12), "a name over 100 bytes\n")
            _ = try TestSupport.run("/bin/ln", [tree.root.path + "/docs/note.txt", tree.root.path + "/hard"])
            scratch = try TestSupport.temporaryDirectory()
            manifest = FilePath(scratch.path + "/tree.manifest")
            _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: manifest)
        }

        func remove() {
            tree.remove()
            try? FileManager.default.removeItem(at: scratch)
        }

        /// Overwrites bytes of the file at `relative` (in the tree) at `offset`, in place.
        func overwrite(_ relative: String, at offset: UInt64, with bytes: [UInt8]) throws {
            let handle = try FileHandle(forUpdating: tree.root.appendingPathComponent(relative))
            try handle.seek(toOffset: offset)
            handle.write(Data(bytes))
            try handle.close()
        }

        /// Runs a shell command in the tree's root; the archive goes to the scratch folder.
        @discardableResult
        func make(_ name: String, _ command: String) throws -> FilePath {
            let output = scratch.path + "/" + name
            _ = try TestSupport.run("/bin/sh", ["-c", "cd '\(tree.root.path)' && " + command.replacingOccurrences(of: "OUT", with: "'\(output)'")])
            return FilePath(output)
        }

        func verify(_ archive: FilePath, layout: ArchiveLayout = ArchiveLayout(), metadata: VerifyOptions.MetadataPolicy = .strict)
            throws -> (VerificationReport, [Finding]) {
            var findings: [Finding] = []
            let report = try Verifier.verify(
                manifest: manifest, archive: archive, layout: layout, options: VerifyOptions(metadata: metadata)) { findings.append($0) }
            return (report, findings)
        }
    }

    static let formats: [(String, String)] = [
        ("gnu.tar", "tar --format=gnu -cf OUT ."),
        ("ustar.tar", "tar --format=ustar -cf OUT . 2>/dev/null || true"),
        ("pax.tar", "tar --format=pax -cf OUT ."),
        ("pax.tar.gz", "tar --format=pax -czf OUT ."),
        ("gnu.tar.zst", "tar -cf - . | zstd -q -o OUT"),
        ("gnu.tar.xz", "tar -cJf OUT ."),
        ("gnu.tar.bz2", "tar -cjf OUT ."),
        ("tree.zip", "zip -qry OUT ."),
        ("newc.cpio", "find . | cpio -o -H newc 2>/dev/null > OUT"),
        ("odc.cpio", "find . | cpio -o -H odc 2>/dev/null > OUT"),
    ]

    @Test(arguments: formats)
    func everyFormatOfAnIntactTreeVerifies(_ name: String, _ command: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let archive = try fixture.make(name, command)
        if name == "ustar.tar" {
            // ustar cannot hold a name over 100 bytes without a '/' to split at: tar leaves
            // that file out, and the verification must say so.
            let (report, findings) = try fixture.verify(archive, metadata: .ignore)
            #expect(!report.verified)
            #expect(findings.map { "\($0.kind) \($0.displayPath)" } == ["missing " + String(repeating: "long-name-", count: 12)])
            return
        }
        // Whole-second formats (GNU, zip, cpio) compare times at their precision: no metadata
        // finding even under --metadata strict. zip keeps 2-second DOS times unless it has the
        // extended timestamp, which Info-ZIP writes.
        let (report, findings) = try fixture.verify(archive)
        #expect(findings.isEmpty, "\(findings.map { "\($0.kind) \($0.displayPath) \($0.detail)" })")
        #expect(report.verified)
        #expect(report.intactFiles == report.expectedFiles)
    }

    @Test func everyFindingKindInsideAnArchive() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // Change the tree after the manifest: damage, a missing file, an extra one, a symlink
        // elsewhere, a type change, a mode change.
        let root = fixture.tree.root.path
        try fixture.overwrite("docs/big.bin", at: 200_000, with: [1, 2, 3])
        try FileManager.default.removeItem(atPath: root + "/deep/er/leaf")
        fixture.tree.file("stray", "not in the manifest\n")
        try FileManager.default.removeItem(atPath: root + "/current")
        fixture.tree.symlink("current", to: "elsewhere")
        try FileManager.default.removeItem(atPath: root + "/empty")
        fixture.tree.file("empty", "now a file\n")
        chmod(root + "/docs/note.txt", 0o600)
        let archive = try fixture.make("changed.tar", "tar --format=pax -cf OUT .")
        let (report, findings) = try fixture.verify(archive, metadata: .warn)
        let counting = Set(findings.filter(\.counts).map { "\($0.kind) \($0.displayPath)" })
        #expect(counting == ["content docs/big.bin", "missing deep/er/leaf", "extra stray", "symlink current", "type empty"], "\(findings.map(\.detail))")
        // Metadata: the mode change (and the new mtimes of what was touched) are warnings.
        let note = try #require(findings.first { $0.kind == .metadata && $0.displayPath == "docs/note.txt" })
        #expect(!note.counts && note.metadataChange?.actualMode == 0o600)
        let content = try #require(findings.first { $0.kind == .content })
        #expect(content.ranges.count == 1 && content.ranges[0].offset <= 200_000
            && content.ranges[0].offset + content.ranges[0].length >= 200_003)
        #expect(!report.verified && report.byKind[.content]?.count == 1)
    }

    @Test func anInsertionIsFoundWhereItIsAndTheRestResynchronises() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // Small chunks so that the 400 kB file has many: insert 5 bytes at 150,000.
        let parameters = try ChunkingParameters(minSize: 2048, avgSize: 8192, maxSize: 65536)
        let manifest = FilePath(fixture.scratch.path + "/small-chunks.manifest")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(fixture.tree.root.path), to: manifest, options: SnapshotOptions(chunking: parameters))
        let path = fixture.tree.root.path + "/docs/big.bin"
        var content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        content.insert(contentsOf: [9, 9, 9, 9, 9], at: 150_000)
        try Data(content).write(to: URL(fileURLWithPath: path))
        let archive = try fixture.make("inserted.tar", "tar --format=pax -cf OUT .")
        var findings: [Finding] = []
        _ = try Verifier.verify(manifest: manifest, archive: archive, options: VerifyOptions(metadata: .ignore)) { findings.append($0) }
        let content1 = try #require(findings.first { $0.kind == .content })
        #expect(content1.sizeChange == 5)
        // One or two chunks around the insertion, not the rest of the file.
        #expect(content1.ranges.count == 1 && content1.differingBytes <= 2 * 65536)
        #expect(content1.ranges[0].offset <= 150_000 && content1.ranges[0].offset + content1.ranges[0].length >= 150_000)
        // The same answer as for the tree itself.
        var fromTree: [Finding] = []
        _ = try Verifier.verify(manifest: manifest, target: FilePath(fixture.tree.root.path), options: VerifyOptions(metadata: .ignore)) {
            fromTree.append($0)
        }
        #expect(fromTree.first { $0.kind == .content }?.ranges == content1.ranges)
    }

    @Test func damagedArchivesAreFindingsNamingWhereReadingFailed() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let tar = try fixture.make("whole.tar", "tar --format=pax -cf OUT .")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: tar.string)[.size] as? Int)
        // Cuts inside members' headers and data (a cut in the zero blocks that end a tar loses
        // no member, and libarchive rightly reads every byte of every member).
        for cut in [700, size / 3, size / 2] {
            let truncated = try fixture.make("cut-\(cut).tar", "head -c \(cut) '\(tar.string)' > OUT")
            let (report, findings) = try fixture.verify(truncated)
            #expect(!report.verified)
            let archiveFinding = try #require(findings.first { $0.displayPath == truncated.string })
            #expect(archiveFinding.kind == .unreadable && archiveFinding.detail.contains("damaged at byte"))
            // Nothing is called missing: what was not reached is unreadable, not absent.
            #expect(!findings.contains { $0.kind == .missing }, "cut at \(cut)")
        }
        // A gzip stream with a flipped byte in its deflate data fails its CRC or its decoding.
        let gz = try fixture.make("whole.tar.gz", "tar --format=pax -czf OUT .")
        let corrupt = try fixture.make("corrupt.tar.gz", "cp '\(gz.string)' OUT && printf 'XXXX' | dd of=OUT bs=1 seek=5000 conv=notrunc 2>/dev/null")
        let (report, findings) = try fixture.verify(corrupt)
        #expect(!report.verified)
        #expect(findings.contains { $0.kind == .unreadable || $0.kind == .content })
    }

    /// gzip is decoded by ISA-L: every member of a multi-member file, trailing zeros ignored,
    /// a stream cut short or failing its CRC reported where it broke, from a file or a pipe.
    @Test func gzipIsDecodedWholeAndItsDamageFound() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let tar = try fixture.make("whole.tar", "tar --format=pax -cf OUT .")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: tar.string)[.size] as? Int)
        let intact = [
            try fixture.make("one.tar.gz", "gzip -c '\(tar.string)' > OUT"),
            try fixture.make("two.tar.gz", "(head -c \(size / 2) '\(tar.string)' | gzip; tail -c +\(size / 2 + 1) '\(tar.string)' | gzip -1) > OUT"),
            try fixture.make("padded.tar.gz", "(gzip -c '\(tar.string)'; head -c 512 /dev/zero) > OUT"),
        ]
        for archive in intact {
            let (report, findings) = try fixture.verify(archive)
            #expect(report.verified, "\(archive): \(findings.map(\.detail))")
            // The same through a pipe.
            let piped = try Self.verifyThroughPipe(fixture.manifest, archive)
            #expect(piped.verified, "\(archive) through a pipe")
        }
        let gz = intact[0]
        let gzSize = try #require(try FileManager.default.attributesOfItem(atPath: gz.string)[.size] as? Int)
        for cut in [100, gzSize / 3, gzSize - 4] {
            let truncated = try fixture.make("cut-\(cut).tar.gz", "head -c \(cut) '\(gz.string)' > OUT")
            let (report, findings) = try fixture.verify(truncated)
            #expect(!report.verified)
            let archiveFinding = try #require(findings.first { $0.displayPath == truncated.string }, "cut at \(cut)")
            #expect(archiveFinding.kind == .unreadable && archiveFinding.detail.contains("gzip stream cut short")
                && archiveFinding.detail.contains("byte \(cut) of the input"), "\(archiveFinding.detail)")
            #expect(!findings.contains { $0.kind == .missing }, "cut at \(cut)")
        }
        // A flipped byte in the CRC-32 of the trailer: every member's bytes may match, the
        // stream still fails its check.
        let badCRC = try fixture.make("crc.tar.gz", "cp '\(gz.string)' OUT && printf '\\377' | dd of=OUT bs=1 seek=\(gzSize - 8) conv=notrunc 2>/dev/null")
        let (report, findings) = try fixture.verify(badCRC)
        #expect(!report.verified)
        #expect(findings.contains { $0.kind == .unreadable && $0.detail.contains("gzip checksum does not match the data") },
                "\(findings.map(\.detail))")
    }

    /// Verifies `archive` fed through a pipe, as from `cat archive | snapcheck verify M -`.
    static func verifyThroughPipe(
        _ manifest: FilePath, _ archive: FilePath, options: VerifyOptions = VerifyOptions(metadata: .strict),
        finding: (Finding) -> Void = { _ in }
    ) throws -> VerificationReport {
        let input = try FileDescriptor.open(archive, .readOnly)
        let pipe = try FileDescriptor.pipe()
        let feeder = Thread {
            _ = try? pipe.writeEnd.closeAfter {
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                    if count == 0 { return }
                    _ = try buffer[..<count].withUnsafeBytes { try pipe.writeEnd.writeAll($0) }
                }
            }
        }
        feeder.start()
        defer {
            try? pipe.readEnd.close()
            try? input.close()
        }
        return try Verifier.verify(manifest: manifest, archiveDescriptor: pipe.readEnd, options: options, finding: finding)
    }

    @Test func notAnArchiveIsAnErrorNotAFinding() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let text = try fixture.make("notes.txt", "printf 'just some text\\n' > OUT")
        #expect(throws: SnapCheckError.self) { try fixture.verify(text) }
    }

    @Test func aParentDirectoryArchiveMapsThroughStripOrPrefix() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let parent = fixture.tree.root.deletingLastPathComponent().path
        let name = fixture.tree.root.lastPathComponent
        let archive = try fixture.make("parent.tar", "tar --format=pax -C '\(parent)' -cf OUT '\(name)'")
        #expect(try fixture.verify(archive, layout: ArchiveLayout(stripComponents: 1)).0.verified)
        #expect(try fixture.verify(archive, layout: ArchiveLayout(prefix: Array(name.utf8))).0.verified)
        // Without either, every member is extra and every entry missing.
        let (report, _) = try fixture.verify(archive)
        #expect(report.byKind[.extra]?.count ?? 0 > 0 && report.byKind[.missing]?.count ?? 0 > 0)
    }

    @Test func sparseMembersAreTheBytesTheyStandFor() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // 8 MiB with two islands of data; GNU tar stores it as a sparse member (a map and the
        // islands only).
        _ = try TestSupport.run("/bin/sh", ["-c", """
            cd '\(fixture.tree.root.path)' && truncate -s 8M holes.img &&
            printf 'start' | dd of=holes.img conv=notrunc 2>/dev/null &&
            printf 'middle' | dd of=holes.img bs=1 seek=5000000 conv=notrunc 2>/dev/null
            """])
        let manifest = FilePath(fixture.scratch.path + "/sparse.manifest")
        _ = try SnapshotBuilder.writeManifest(of: FilePath(fixture.tree.root.path), to: manifest)
        for (name, command) in [("sparse-gnu.tar", "tar --sparse --format=gnu -cf OUT ."), ("sparse-pax.tar", "tar --sparse --format=pax -cf OUT .")] {
            let archive = try fixture.make(name, command)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: archive.string)[.size] as? Int)
            #expect(size < 4 << 20, "\(name) is not sparse: \(size) bytes")
            var findings: [Finding] = []
            let report = try Verifier.verify(manifest: manifest, archive: archive, options: VerifyOptions(metadata: .ignore)) {
                findings.append($0)
            }
            #expect(report.verified, "\(name): \(findings.map { "\($0.kind) \($0.displayPath) \($0.detail)" })")
        }
    }

    @Test func impliedDirectoriesArePresent() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // Files only, no directory members: the directories are implied by the paths.
        let archive = try fixture.make("files.tar", "find . ! -type d | sort | tar --format=pax --no-recursion -cf OUT -T -")
        let (_, findings) = try fixture.verify(archive, metadata: .ignore)
        // `empty` holds nothing, so nothing implies it: it is the one missing directory.
        #expect(findings.map { "\($0.kind) \($0.displayPath)" } == ["missing empty"])
    }
}
