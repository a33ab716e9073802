import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Verification against purpose-made damage: every finding kind, and only what was done.
struct VerifierTests {
    /// Small chunks so that files of a few hundred KiB have dozens of chunks.
    static let parameters = try! ChunkingParameters(minSize: 1024, avgSize: 4096, maxSize: 16384, level: 1)

    /// A source tree, its manifest, and a fresh `cp -a` copy to damage.
    struct Scenario {
        let source: TreeBuilder
        let target: URL
        let manifest: String

        init() throws {
            source = try TreeBuilder()
            source.directory("docs")
            source.file(Array("docs/big.bin".utf8), FixtureInput.random(seed: 21, count: 300_000))
            source.file(Array("docs/other.bin".utf8), FixtureInput.random(seed: 22, count: 300_000))
            source.file("docs/note.txt", "remember the milk\n")
            source.directory("finance")
            source.directory("finance/2025")
            for index in 0..<5 { source.file("finance/2025/q\(index).csv", String(repeating: "\(index),", count: 500)) }
            source.file("readme", "hello\n")
            source.file("swap-a", "AAAAAAAAAA")
            source.file("swap-b", "BBBBBBBBBB")
            source.symlink("current", to: "finance/2025")
            source.file(Array("odd\nname\\\u{FF}".utf8) + [0xFF], Array("odd".utf8))
            let scratch = try TestSupport.temporaryDirectory()
            target = scratch.appendingPathComponent("copy")
            _ = try TestSupport.run("/bin/cp", ["-a", source.root.path, target.path])
            manifest = scratch.appendingPathComponent("source.manifest").path
            let writer = try ManifestWriter(path: FilePath(manifest), parameters: VerifierTests.parameters)
            try SnapshotBuilder.build(root: FilePath(source.root.path), options: SnapshotOptions(chunking: VerifierTests.parameters)) {
                try writer.append($0)
            }
            _ = try writer.finish()
        }

        /// Records the source again (after changing it).
        func rewriteManifest() throws {
            let writer = try ManifestWriter(path: FilePath(manifest), parameters: VerifierTests.parameters)
            try SnapshotBuilder.build(root: FilePath(source.root.path), options: SnapshotOptions(chunking: VerifierTests.parameters)) {
                try writer.append($0)
            }
            _ = try writer.finish()
        }

        func remove() {
            source.remove()
            _ = try? TestSupport.run("/bin/rm", ["-rf", target.deletingLastPathComponent().path])
        }

        func path(_ relative: String) -> String { target.path + "/" + relative }

        func verify(_ options: VerifyOptions = VerifyOptions()) throws -> (VerificationReport, [Finding]) {
            var findings: [Finding] = []
            let report = try Verifier.verify(manifest: FilePath(manifest), target: FilePath(target.path), options: options) { findings.append($0) }
            return (report, findings)
        }

        /// Overwrites bytes in a target file without changing its mtime.
        func patch(_ relative: String, at offset: Int, with bytes: [UInt8]) throws {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path(relative)))
            try handle.seek(toOffset: UInt64(offset))
            handle.write(Data(bytes))
            try handle.close()
            _ = try TestSupport.run("/usr/bin/touch", ["-r", source.root.path + "/" + relative, path(relative)])
        }

        /// Replaces a target file's content, keeping its mtime.
        func rewrite(_ relative: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: path(relative)))
            _ = try TestSupport.run("/usr/bin/touch", ["-r", source.root.path + "/" + relative, path(relative)])
        }

        func original(_ relative: String) -> [UInt8] {
            [UInt8](FileManager.default.contents(atPath: source.root.path + "/" + relative)!)
        }
    }

    @Test func intactCopyIsVerified() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let (report, findings) = try scenario.verify()
        #expect(findings.isEmpty)
        #expect(report.verified)
        #expect(report.intactFiles == report.expectedFiles && report.expectedFiles == 12)
        #expect(report.intactBytes == report.expectedBytes)
        #expect(report.fileCoverage == 1 && report.byteCoverage == 1)
    }

    @Test(arguments: [0, 150_000, 299_999])
    func bitFlipIsOneChunkWhereItHappened(offset: Int) throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var byte = scenario.original("docs/big.bin")[offset]
        byte ^= 0x01
        try scenario.patch("docs/big.bin", at: offset, with: [byte])
        let (report, findings) = try scenario.verify()
        #expect(!report.verified)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .content && finding.displayPath == "docs/big.bin" && finding.counts)
        #expect(finding.sizeChange == 0)
        #expect(finding.ranges.count == 1)
        let range = finding.ranges[0]
        #expect(range.offset <= UInt64(offset) && UInt64(offset) < range.offset + range.length)
        #expect(report.intactFiles == 11)
    }

    @Test func truncationAppendAndInsertion() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let big = scenario.original("docs/big.bin")
        try scenario.rewrite("docs/big.bin", Array(big.prefix(200_000)))
        try scenario.rewrite("docs/other.bin", scenario.original("docs/other.bin") + Array("tail".utf8))
        var inserted = scenario.original("finance/2025/q3.csv")
        inserted.insert(UInt8(ascii: "!"), at: 1000)
        try scenario.rewrite("finance/2025/q3.csv", inserted)
        let (_, findings) = try scenario.verify()
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0.displayPath, $0) })
        #expect(findings.count == 3)

        let truncated = try #require(byPath["docs/big.bin"])
        #expect(truncated.sizeChange == -100_000)
        #expect(try #require(truncated.ranges.first).offset <= 200_000)
        #expect(truncated.ranges.last.map { $0.offset + $0.length } == 300_000)

        let appended = try #require(byPath["docs/other.bin"])
        #expect(appended.sizeChange == 4)
        #expect(appended.ranges == [Finding.ByteRange(offset: 300_000, length: 0)])

        let insertion = try #require(byPath["finance/2025/q3.csv"])
        #expect(insertion.sizeChange == 1)
        #expect(try #require(insertion.ranges.first).offset <= 1000)
    }

    @Test func oneByteInsertionInALargeFileReportsAFewChunks() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var big = scenario.original("docs/big.bin")
        big.insert(0x42, at: 123_456)
        try scenario.rewrite("docs/big.bin", big)
        let (_, findings) = try scenario.verify()
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.ranges.count <= 2)
        #expect(finding.differingBytes <= 2 * 16384)
        #expect(finding.ranges.first!.offset <= 123_456)
        #expect(finding.ranges.last.map { $0.offset + $0.length }! >= 123_456)
    }

    @Test func zeroedBlockAndSwappedContents() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/other.bin", at: 100_000, with: [UInt8](repeating: 0, count: 4096))
        try scenario.rewrite("swap-a", scenario.original("swap-b"))
        try scenario.rewrite("swap-b", scenario.original("swap-a"))
        let (_, findings) = try scenario.verify()
        #expect(findings.map(\.displayPath) == ["docs/other.bin", "swap-a", "swap-b"])
        #expect(findings.allSatisfy { $0.kind == .content })
        let zeroed = findings[0]
        #expect(zeroed.differingBytes <= 3 * 16384)
        #expect(zeroed.ranges.first!.offset <= 100_000)
        #expect(zeroed.ranges.last.map { $0.offset + $0.length }! >= 104_096)
    }

    @Test func missingExtraRenameAndDeletedDirectory() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try FileManager.default.removeItem(atPath: scenario.path("finance/2025"))
        try FileManager.default.moveItem(atPath: scenario.path("readme"), toPath: scenario.path("readme.old"))
        try Data("new".utf8).write(to: URL(fileURLWithPath: scenario.path("docs/added.txt")))
        _ = try TestSupport.run("/usr/bin/touch", ["-r", scenario.source.root.path + "/docs", scenario.path("docs")])
        _ = try TestSupport.run("/usr/bin/touch", ["-r", scenario.source.root.path + "/finance", scenario.path("finance")])
        _ = try TestSupport.run("/usr/bin/touch", ["-r", scenario.source.root.path, scenario.target.path])
        let (report, findings) = try scenario.verify()
        let kinds = findings.map { "\($0.kind.rawValue) \($0.displayPath)" }
        #expect(kinds == [
            "extra docs/added.txt",
            "missing finance/2025", "missing finance/2025/q0.csv", "missing finance/2025/q1.csv",
            "missing finance/2025/q2.csv", "missing finance/2025/q3.csv", "missing finance/2025/q4.csv",
            "missing readme", "extra readme.old",
        ])
        #expect(report.byKind[.missing]?.count == 7)
        #expect(try #require(report.byKind[.missing]).bytes == 5 * 1000 + 6)
        #expect(!report.verified)
        // Extra entries can be allowed.
        let (allowed, _) = try scenario.verify(VerifyOptions(allowExtra: true))
        #expect(allowed.counted == 7)
        #expect(allowed.warnings == 2)
    }

    @Test func typeChanges() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        // file -> directory, directory -> file, file -> symlink
        try FileManager.default.removeItem(atPath: scenario.path("readme"))
        try FileManager.default.createDirectory(atPath: scenario.path("readme"), withIntermediateDirectories: false)
        try Data("x".utf8).write(to: URL(fileURLWithPath: scenario.path("readme/inside")))
        try FileManager.default.removeItem(atPath: scenario.path("finance/2025"))
        try Data("was a dir".utf8).write(to: URL(fileURLWithPath: scenario.path("finance/2025")))
        try FileManager.default.removeItem(atPath: scenario.path("docs/note.txt"))
        try FileManager.default.createSymbolicLink(atPath: scenario.path("docs/note.txt"), withDestinationPath: "big.bin")
        let (_, findings) = try scenario.verify(VerifyOptions(metadata: .ignore))
        let kinds = findings.map { "\($0.kind.rawValue) \($0.displayPath)" }
        #expect(kinds.contains("type docs/note.txt"))
        #expect(kinds.contains("type finance/2025"))
        #expect(kinds.contains("type readme"))
        #expect(kinds.contains("extra readme/inside"))
        #expect(kinds.filter { $0.hasPrefix("missing finance/2025/") }.count == 5)
        let note = findings.first { $0.displayPath == "docs/note.txt" }!
        #expect(note.expectedKind == .file && note.actualKind == .symlink)
        let finance = findings.first { $0.displayPath == "finance/2025" }!
        #expect(finance.expectedKind == .directory && finance.actualKind == .file)
        #expect(findings.count == 9)
    }

    @Test func symlinkAndMetadataPolicies() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try FileManager.default.removeItem(atPath: scenario.path("current"))
        try FileManager.default.createSymbolicLink(atPath: scenario.path("current"), withDestinationPath: "finance")
        _ = try TestSupport.run("/usr/bin/touch", ["-h", "-r", scenario.source.root.path + "/current", scenario.path("current")])
        _ = try TestSupport.run("/usr/bin/touch", ["-r", scenario.source.root.path, scenario.target.path])
        #expect(chmod(scenario.path("readme"), 0o600) == 0)
        _ = try TestSupport.run("/usr/bin/touch", ["-d", "2001-02-03 04:05:06", scenario.path("swap-a")])

        let (warned, findings) = try scenario.verify()
        #expect(findings.map { "\($0.kind.rawValue) \($0.displayPath)" } == ["symlink current", "metadata readme", "metadata swap-a"])
        #expect(findings[0].detail == "points to \"finance\", expected \"finance/2025\"")
        #expect(findings[1].detail == "mode 0644 -> 0600" && !findings[1].counts)
        #expect(findings[2].detail.contains("-> 2001-02-03T"))
        #expect(warned.counted == 1 && warned.warnings == 2)

        let (strict, _) = try scenario.verify(VerifyOptions(metadata: .strict))
        #expect(strict.counted == 3)
        let (ignored, ignoredFindings) = try scenario.verify(VerifyOptions(metadata: .ignore))
        #expect(ignored.counted == 1 && ignoredFindings.count == 1)
    }

    @Test func hostileNamesAreComparedAsBytes() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let name = Array("odd\nname\\\u{FF}".utf8) + [0xFF]
        let target = Array(scenario.target.path.utf8) + [0x2F] + name
        let fd = (target + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_TRUNC) } }
        #expect(fd >= 0)
        _ = write(fd, "ODD", 3)
        close(fd)
        let (_, findings) = try scenario.verify(VerifyOptions(metadata: .ignore))
        #expect(findings.map(\.path) == [name])
        #expect(findings.first?.displayPath == "odd\\x0aname\\\\\u{FF}\\xff")
    }

    @Test func normalizationTwinsAreDifferentNames() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        // The backup holds "readme" under the same bytes, plus an NFD-named twin of an NFC name
        // the source does not have, and the source's NFC "café" is replaced by its NFD form.
        scenario.source.file("caf\u{E9}", "menu")
        try scenario.rewriteManifest()
        try Data("menu".utf8).write(to: URL(fileURLWithPath: scenario.path("cafe\u{301}")))
        let (_, findings) = try scenario.verify(VerifyOptions(metadata: .ignore))
        #expect(findings.map { "\($0.kind.rawValue) \($0.displayPath)" } == ["extra cafe\u{301}", "missing caf\u{E9}"])
    }

    @Test func badTargetOrManifestThrows() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        #expect(throws: SnapCheckError.self) {
            try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path + "/missing"))
        }
        #expect(throws: SnapCheckError.self) {
            try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.path("readme")))
        }
        var text = try String(contentsOfFile: scenario.manifest, encoding: .utf8)
        text = text.replacingOccurrences(of: "\treadme\t0644", with: "\treadme\t0755")
        try Data(text.utf8).write(to: URL(fileURLWithPath: scenario.manifest))
        do {
            _ = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path))
            Issue.record("an edited manifest was accepted")
        } catch {
            #expect(error.code == .invalidManifest)
        }
    }

    @Test func compareWithoutAManifest() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var report = try Verifier.compare(source: FilePath(scenario.source.root.path), target: FilePath(scenario.target.path), chunking: Self.parameters)
        #expect(report.verified && report.intactFiles == 12)
        try scenario.patch("docs/big.bin", at: 5, with: [0])
        var findings: [Finding] = []
        report = try Verifier.compare(source: FilePath(scenario.source.root.path), target: FilePath(scenario.target.path), chunking: Self.parameters) {
            findings.append($0)
        }
        #expect(!report.verified)
        #expect(findings.map(\.kind) == [.content])
    }
}

/// Large files are verified in parts by several workers, with the same results.
struct SplitFileTests {
    @Test func largeFileInPartsIntactAndDamaged() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let big = tree.root.appendingPathComponent("disk.img").path
        _ = try TestSupport.run("/bin/sh", ["-c", "head -c 50000000 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 0000000000000000000000000000000b -iv 00000000000000000000000000000000 > '\(big)'"])
        tree.file("small.txt", "small")
        let scratch = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let manifest = scratch.appendingPathComponent("m").path
        let writer = try ManifestWriter(path: FilePath(manifest), parameters: .default)
        try SnapshotBuilder.build(root: FilePath(tree.root.path)) { try writer.append($0) }
        _ = try writer.finish()
        let entry = try #require(try ManifestReader(path: FilePath(manifest)).next())
        let split = try #require(SplitFile(entry, TargetEntry(walked: WalkedEntry(
            entry: entry, directory: DirectoryHandle(descriptor: dup(0)), name: [], device: 0, inode: 0))))
        #expect(split.parts.count >= 2)

        func verify() throws -> (VerificationReport, [Finding]) {
            var findings: [Finding] = []
            let report = try Verifier.verify(manifest: FilePath(manifest), target: FilePath(tree.root.path),
                                             options: VerifyOptions(threads: 2)) { findings.append($0) }
            return (report, findings)
        }
        let (intact, none) = try verify()
        #expect(none.isEmpty && intact.verified && intact.intactFiles == 2 && intact.intactBytes == 50_000_005)

        // Insert one byte in the middle, keeping the mtime: exact ranges from the whole-file check.
        _ = try TestSupport.run("/bin/sh", ["-c", """
            cd '\(tree.root.path)' && cp -p disk.img /tmp/snapcheck-split-$$ && \
            { head -c 30000000 /tmp/snapcheck-split-$$; printf X; tail -c +30000001 /tmp/snapcheck-split-$$; } > disk.img && \
            touch -r /tmp/snapcheck-split-$$ disk.img && rm /tmp/snapcheck-split-$$
            """])
        let (damaged, findings) = try verify()
        #expect(!damaged.verified)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .content && finding.sizeChange == 1)
        #expect(finding.ranges.count <= 2)
        #expect(finding.ranges.first!.offset <= 30_000_000)
        #expect(finding.differingBytes <= 8 << 20)
        // One thread, no split: the same finding.
        var serial: [Finding] = []
        _ = try Verifier.verify(manifest: FilePath(manifest), target: FilePath(tree.root.path), options: VerifyOptions(threads: 1)) { serial.append($0) }
        #expect(serial == findings)
    }

    /// One damaged chunk in a file checked in parts: the exact range, and one more read of the
    /// damaged part only, not of the whole file (the parts that passed are passed over).
    @Test func aDamagedChunkCostsOneMoreReadOfItsPart() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let size = 80_000_000
        tree.file(Array("disk.img".utf8), FixtureInput.random(seed: 12, count: size))
        let scratch = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let manifest = FilePath(scratch.appendingPathComponent("m").path)
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: manifest)
        // One byte flipped in place, at 50 MB.
        let handle = try FileHandle(forUpdating: tree.root.appendingPathComponent("disk.img"))
        try handle.seek(toOffset: 50_000_000)
        let byte = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: 50_000_000)
        handle.write(Data([byte ^ 0xFF]))
        try handle.close()
        var findings: [Finding] = []
        var read: UInt64 = 0
        var options = VerifyOptions(threads: 2)
        options.progressInterval = .milliseconds(1)
        _ = try Verifier.verify(manifest: manifest, target: FilePath(tree.root.path), options: options,
                                finding: { findings.append($0) }, progress: { read = max(read, $0.readBytes) })
        let content = try #require(findings.first { $0.kind == .content })
        #expect(content.ranges.count == 1 && content.ranges[0].offset <= 50_000_000
            && content.ranges[0].offset + content.ranges[0].length > 50_000_000 && content.sizeChange == 0)
        // The file once, and its damaged part (about 16 MiB, a chunk more at most) once more.
        #expect(read >= UInt64(size) && read <= UInt64(size) + SplitFile.partBytes + (4 << 20), "read \(read) bytes")
        // One thread (no parts): the same finding.
        var serial: [Finding] = []
        _ = try Verifier.verify(manifest: manifest, target: FilePath(tree.root.path), options: VerifyOptions(threads: 1)) { serial.append($0) }
        #expect(serial == findings)
    }
}
