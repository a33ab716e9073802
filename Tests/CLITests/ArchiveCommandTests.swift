import Foundation
import Testing

/// `snapcheck verify MANIFEST ARCHIVE`, end to end: exit codes and one-line errors.
struct ArchiveCommandTests {
    @Test func archivesVerifyFromAFileAndFromStdin() throws {
        let (root, source, manifest) = try VerifyCommandTests.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let archive = root.appendingPathComponent("backup.tar.zst").path
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", "tar --format=pax -C '\(source.path)' -cf - . | zstd -q -o '\(archive)'"])
        let fromFile = try CLIRunner.run(["verify", manifest, archive, "--json"])
        #expect(fromFile.status == 0, "\(fromFile.stdout)\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("\"verified\":true"))
        let fromStdin = try CLIRunner.run(["verify", manifest, "-"], input: archive)
        #expect(fromStdin.status == 0 && fromStdin.stdout.hasPrefix("VERIFIED"), "\(fromStdin.stdout)")
        // A truncated archive: exit 1, and the report says where reading failed.
        let cut = root.appendingPathComponent("cut.tar.zst").path
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", "head -c 20000 '\(archive)' > '\(cut)'"])
        let truncated = try CLIRunner.run(["verify", manifest, cut])
        #expect(truncated.status == 1)
        #expect(truncated.stdout.hasPrefix("NOT VERIFIED") && truncated.stdout.contains("damaged at byte"), "\(truncated.stdout)")
        // compare: the source tree against the archive, no manifest kept.
        let compared = try CLIRunner.run(["compare", source.path, archive])
        #expect(compared.status == 0 && compared.stdout.hasPrefix("VERIFIED"), "\(compared.stdout)\(compared.stderr)")
        let comparedCut = try CLIRunner.run(["compare", source.path, cut])
        #expect(comparedCut.status == 1, "\(comparedCut.stdout)")
    }

    @Test func badArchiveInputGivesOneLineAndExitTwo() throws {
        let (root, source, manifest) = try VerifyCommandTests.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let text = root.appendingPathComponent("notes.txt").path
        try Data("not an archive\n".utf8).write(to: URL(fileURLWithPath: text))
        let cases: [([String], String?, String)] = [
            (["verify", manifest, text], nil, "snapcheck: \(text): not an archive snapcheck can read (Unrecognized archive format)"),
            (["verify", manifest, "-"], text, "snapcheck: <stdin>: not an archive snapcheck can read (Unrecognized archive format)"),
            (["verify", manifest, source.path, "--strip-components", "1"], nil,
             "snapcheck: --strip-components and --prefix are for archives; TARGET is a directory"),
            (["verify", "-", "-"], text, "snapcheck: the manifest must be a file when the archive comes on stdin"),
            (["spot-check", manifest, text], nil, "snapcheck: \(text): not an archive snapcheck can read (Unrecognized archive format)"),
            (["spot-check", manifest, "-"], text,
             "snapcheck: a spot-check reads chunks at chosen places and cannot on standard input; verify reads an archive stream once, whole"),
            (["spot-check", manifest, source.path, "--prefix", "x"], nil,
             "snapcheck: --strip-components and --prefix are for archives; TARGET is a directory"),
            (["compare", source.path, "-"], text, "snapcheck: compare reads an archive from a file, not from stdin: use verify with a manifest"),
        ]
        for (arguments, input, message) in cases {
            let result = try CLIRunner.run(arguments, input: input)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errorLines == [Substring(message)], "\(arguments): \(result.stderr)")
        }
    }

    /// A spot-check of a plain tar reads its headers and its sample, not the members' data: the
    /// process (measured by the kernel, in a child of its own) reads a small part of the file.
    @Test func aSpotCheckOfATarReadsLittleMoreThanItsSample() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for index in 0..<4 {
            try Data(Scratch.bytes(count: 8 << 20, seed: UInt64(index) + 1)).write(to: source.appendingPathComponent("part\(index).bin"))
        }
        let manifest = root.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", source.path, "-o", manifest]).status == 0)
        let tar = root.appendingPathComponent("backup.tar").path
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", "tar --format=pax -C '\(source.path)' -cf '\(tar)' . && zstd -q '\(tar)'"])
        let result = try CLIRunner.run(["spot-check", manifest, tar, "--chunks", "2", "--seed", "9", "--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let summary = try #require(result.stdout.split(separator: "\n").last)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        #expect(fields["verdict"] as? String == "no-damage-found-in-sample")
        #expect(fields["sampled_chunks"] as? Int == 2)
        let read = try #require(fields["process_read_bytes"] as? Int)
        let sampled = try #require(fields["sampled_bytes"] as? Int)
        // The manifest, the headers (in 64 KiB blocks) and the two chunks: far below 32 MiB.
        #expect(read >= sampled && read < sampled + (4 << 20), "read \(read) for a sample of \(sampled)")
        // Damage in the archive itself is found when every chunk is read (exit 1) ...
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", "printf 'XXXX' | dd of='\(tar)' bs=1 seek=\(20 << 20) conv=notrunc 2>/dev/null"])
        let whole = try CLIRunner.run(["spot-check", manifest, tar, "--sample", "100%"])
        #expect(whole.status == 1 && whole.stdout.hasPrefix("NOT VERIFIED"), "\(whole.stdout)")
        // ... a compressed tar is refused with one line, and so is a state file for an archive.
        let compressed = try CLIRunner.run(["spot-check", manifest, tar + ".zst"])
        #expect(compressed.status == 2)
        #expect(compressed.errorLines == [Substring("snapcheck: \(tar).zst: a spot-check needs an archive it can read at any place, "
            + "and this one is zstd-compressed as a whole: verify it in full (snapcheck verify), or spot-check an uncompressed tar or a zip")])
        let state = try CLIRunner.run(["spot-check", manifest, tar, "--state", root.appendingPathComponent("s").path])
        #expect(state.status == 2 && state.errorLines == ["snapcheck: --state is for directories, not archives"])
    }

    @Test func anArchiveIsRecordedWithItsTreesSnapshotID() throws {
        let (root, source, manifest) = try VerifyCommandTests.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let archive = root.appendingPathComponent("backup.tar").path
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", "tar --format=pax -C '\(source.path)' -cf '\(archive)' ."])
        let fromTree = try CLIRunner.run(["show", manifest, "--json"])
        let recorded = root.appendingPathComponent("archive.manifest").path
        let result = try CLIRunner.run(["manifest", archive, "-o", recorded])
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("sha256:") && fromTree.stdout.contains("\"snapshot\":\"\(id)\""), "\(id) \(fromTree.stdout)")
        // From stdin too; without -o it is refused.
        let fromStdin = try CLIRunner.run(["manifest", "-", "-o", recorded], input: archive)
        #expect(fromStdin.status == 0 && fromStdin.stdout.contains(id))
        let noOutput = try CLIRunner.run(["manifest", archive])
        #expect(noOutput.status == 2 && noOutput.errorLines == ["snapcheck: recording an archive needs -o FILE"])
    }
}
