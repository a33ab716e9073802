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
            (["spot-check", manifest, text], nil,
             "snapcheck: spot-check reads chunks at random and needs a directory; for an archive use verify, which reads it once, whole"),
            (["compare", source.path, "-"], text, "snapcheck: compare reads an archive from a file, not from stdin: use verify with a manifest"),
        ]
        for (arguments, input, message) in cases {
            let result = try CLIRunner.run(arguments, input: input)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errorLines == [Substring(message)], "\(arguments): \(result.stderr)")
        }
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
