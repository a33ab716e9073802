import Foundation
import Testing

/// `snapcheck manifest` and `snapcheck show`, end to end.
struct ManifestCommandTests {
    /// A small tree: files, a subdirectory, a symlink and a FIFO.
    static func makeTree() throws -> URL {
        let root = try Scratch.directory()
        let sub = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try Data("quarterly numbers\n".utf8).write(to: sub.appendingPathComponent("report.txt"))
        try Data(Scratch.bytes(count: 700_000, seed: 3)).write(to: root.appendingPathComponent("data.bin"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("latest").path, withDestinationPath: "docs/report.txt")
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o644) == 0)
        return root
    }

    @Test func manifestToStdoutAndToFilesAgree() throws {
        let tree = try Self.makeTree()
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: tree); try? FileManager.default.removeItem(at: out) }
        let toStdout = try CLIRunner.run(["manifest", tree.path], timeout: 60)
        #expect(toStdout.status == 0)
        #expect(toStdout.stdout.hasPrefix("snapcheck-manifest v1\n"))
        #expect(toStdout.stdout.contains("fifo\tpipe\t"))
        #expect(toStdout.stdout.contains("symlink\tlatest\t0777\t"))
        #expect(toStdout.stderr.contains("2 files, 1 directories, 1 symlinks, 1 other"))
        let idFromStdout = toStdout.stdout.split(separator: "\n").last!.dropFirst("snapshot ".count)

        let plain = out.appendingPathComponent("tree.manifest").path
        let packed = out.appendingPathComponent("tree.manifest.gz").path
        let first = try CLIRunner.run(["manifest", tree.path, "-o", plain, "--threads", "1"])
        let second = try CLIRunner.run(["manifest", tree.path, "-o", packed, "--threads", "2"])
        #expect(first.status == 0 && second.status == 0)
        #expect(first.stdout == "\(idFromStdout)\n")
        #expect(second.stdout == first.stdout)

        let show = try CLIRunner.run(["show", packed])
        #expect(show.status == 0)
        #expect(show.stdout.contains("snapshot   \(idFromStdout)"))
        #expect(show.stdout.contains("intact     yes"))
        #expect(show.stdout.contains("2 files, 1 directories, 1 symlinks, 1 other"))
        let json = try CLIRunner.run(["show", plain, "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"intact\":true"))
        #expect(json.stdout.contains("\"snapshot\":\"\(idFromStdout)\""))
        #expect(json.stdout.contains("\"bytes\":700018"))
    }

    @Test func showRejectsADamagedManifestWithOneLine() throws {
        let tree = try Self.makeTree()
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: tree); try? FileManager.default.removeItem(at: out) }
        let path = out.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", tree.path, "-o", path]).status == 0)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "quarterly", with: "x")  // not in the manifest: no-op
        text = text.replacingOccurrences(of: "\t18\tok", with: "\t19\tok")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let result = try CLIRunner.run(["show", path])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        #expect(result.stderr.contains("line "))
    }

    @Test func unreadableEntriesAreRecordedAndExitOne() throws {
        let tree = try Self.makeTree()
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: tree); try? FileManager.default.removeItem(at: out) }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out.path)
        let secret = tree.appendingPathComponent("secret.key")
        try Data("k".utf8).write(to: secret)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret.path)
        let closed = tree.appendingPathComponent("closed")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: closed.appendingPathComponent("inside"))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closed.path)
        // As nobody (uid 65534): root's 0600 file and 0700 directory cannot be read.
        #expect(getuid() != 65534)
        let path = out.appendingPathComponent("m").path
        let result = try CLIRunner.run(["manifest", tree.path, "-o", path], asUser: 65534)
        #expect(result.status == 1)
        #expect(result.stderr.contains("snapcheck: closed: cannot list directory: Permission denied"))
        #expect(result.stderr.contains("snapcheck: secret.key: cannot open: Permission denied"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("dir\tclosed\t0700\t"))
        #expect(text.contains("\tunreadable\n"))
        #expect(text.contains("unreadable=2"))
        #expect(try CLIRunner.run(["show", path]).status == 0)
    }

    @Test(arguments: [
        ["manifest", "/definitely/missing"],
        ["manifest", "/etc/hostname"],
        ["manifest", "/tmp", "-o", "/definitely/missing/dir/out.manifest"],
        ["manifest", "/tmp", "--threads", "0"],
        ["show", "/definitely/missing"],
        ["show", "/etc/hostname"],
        ["show", "/tmp"],
    ])
    func badInputGivesOneLineAndExitTwo(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("snapcheck: "))
    }

    @Test func failedRunLeavesAnExistingOutputUntouched() throws {
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: out) }
        let path = out.appendingPathComponent("keep.manifest")
        try Data("precious\n".utf8).write(to: path)
        let result = try CLIRunner.run(["manifest", out.appendingPathComponent("missing").path, "-o", path.path])
        #expect(result.status == 2)
        #expect(try String(contentsOf: path, encoding: .utf8) == "precious\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["keep.manifest"])
    }

    @Test func outputInsideTheTreeIsNotRecorded() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let result = try CLIRunner.run(["manifest", tree.path, "-o", tree.appendingPathComponent("self.manifest").path])
        #expect(result.status == 0)
        let text = try String(contentsOfFile: tree.appendingPathComponent("self.manifest").path, encoding: .utf8)
        #expect(!text.contains(".snapcheck-"))
        #expect(!text.contains("self.manifest"))
    }

    @Test func nonRegularOutputIsWrittenNotReplaced() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        // A FIFO stands in for /dev/null: the manifest must go into it, and it must stay a FIFO.
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: out) }
        let fifo = out.appendingPathComponent("sink").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat '\(fifo)' > '\(out.path)/received'"]
        try reader.run()
        let result = try CLIRunner.run(["manifest", tree.path, "-o", fifo])
        reader.waitUntilExit()
        #expect(result.status == 0)
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let received = try String(contentsOfFile: out.path + "/received", encoding: .utf8)
        #expect(received.hasPrefix("snapcheck-manifest v1\n"))
        #expect(received.hasSuffix(result.stdout.replacingOccurrences(of: "sha256:", with: "snapshot sha256:")))
    }

    @Test func progressOnlyWhenAsked() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let quiet = try CLIRunner.run(["manifest", tree.path, "-o", "/dev/null"])
        #expect(!quiet.stderr.contains("\r"))
        let loud = try CLIRunner.run(["manifest", tree.path, "-o", "/dev/null", "--progress"])
        #expect(loud.status == 0)
        #expect(loud.stderr.contains("\r"))
    }
}

extension ManifestCommandTests {
    @Test func showFindsDuplicateContentAndTheLargestFiles() throws {
        let tree = try Self.makeTree()
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: tree); try? FileManager.default.removeItem(at: out) }
        let copy = Scratch.bytes(count: 123_457, seed: 9)
        try Data(copy).write(to: tree.appendingPathComponent("a.bin"))
        try Data(copy).write(to: tree.appendingPathComponent("docs/b.bin"))
        let manifest = out.appendingPathComponent("m").path
        #expect(try CLIRunner.run(["manifest", tree.path, "-o", manifest]).status == 0)
        let json = try CLIRunner.run(["show", manifest, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(object["duplicate_groups"] as? Int == 1)
        #expect(object["duplicate_bytes"] as? Int == 123_457)
        let largest = (object["largest"] as! [[String: Any]]).map { $0["path"] as! String }
        #expect(largest.prefix(3) == ["data.bin", "a.bin", "docs/b.bin"] || largest.prefix(3) == ["data.bin", "docs/b.bin", "a.bin"])
        let text = try CLIRunner.run(["show", manifest])
        #expect(text.stdout.contains("duplicate content: 1 group, 123.5 kB in extra copies"))
        #expect(text.stdout.contains("  2 × 123.5 kB: a.bin, docs/b.bin"))
        // From stdin the manifest cannot be read twice: the groups are counted, their paths not listed.
        let piped = try CLIRunner.run(["show", "-"], input: manifest)
        #expect(piped.stdout.contains("duplicate content: 1 group, 123.5 kB in extra copies"))
        #expect(piped.stdout.contains("  2 × 123.5 kB: (paths not listed: the manifest came on stdin)"), "\(piped.stdout)")
    }
}

extension ManifestCommandTests {
    /// show keeps its files in sorted blocks of 65,536 and merges them: groups whose copies lie
    /// in different blocks are found like the others. A manifest of 70,000 files written here
    /// (one chunk each; its snapshot id from `sha256sum`): every tenth file a copy of the one
    /// nine before it (7,000 pairs, one across the block boundary), and one content in three
    /// files far apart (a group of 3 across both blocks); and two equal files of 5 GiB, whose
    /// size does not fit the 32 bits show keeps for most files (the group with the most bytes in
    /// extra copies).
    @Test func showFindsGroupsAcrossItsBlocks() throws {
        let out = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: out) }
        var identity = "snapcheck-manifest v1\nchunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=1\nhash sha256\n"
        var bytes = 0
        var redundant = 0
        for folder in 0..<70 {
            let folderName = "d" + String(format: "%03d", folder)
            identity += "dir\t\(folderName)\t0755\t0\t0\tok\n"
            for index in 0..<1000 {
                let number = folder * 1000 + index
                var content = number % 10 == 9 ? number - 9 : number
                if [30_005, 69_005].contains(number) { content = 4998 }
                let size = 1000 + content % 5000
                if content != number { redundant += size }
                bytes += size
                identity += "file\t\(folderName)/f\(String(format: "%03d", index))\t0644\t0\t\(size)\tok\n"
                identity += "+\t\(size)\t\(String(format: "%016x", content))\(String(repeating: "0", count: 48))\n"
            }
        }
        identity += "dir\tz\t0755\t0\t0\tok\n"
        for name in ["a", "b"] {
            identity += "file\tz/\(name)\t0644\t0\t5368709120\tok\n"
            for chunk in 0..<1280 { identity += "+\t4194304\t\(String(format: "%016x", 1_000_000 + chunk))\(String(repeating: "0", count: 48))\n" }
        }
        bytes += 2 * 5_368_709_120
        redundant += 5_368_709_120
        let identityFile = out.appendingPathComponent("identity")
        try Data(identity.utf8).write(to: identityFile)
        let digest = try VerifyCommandTests.run("/usr/bin/sha256sum", [identityFile.path]).prefix(64)
        let lines = identity.split(separator: "\n", omittingEmptySubsequences: false)
        let manifest = lines[0..<3].joined(separator: "\n") + "\nentries\n" + lines[3...].joined(separator: "\n")
            + "end files=70002 directories=71 symlinks=0 special=0 bytes=\(bytes) chunks=72560 unreadable=0 changed=0\n"
            + "snapshot sha256:\(digest)\n"
        let path = out.appendingPathComponent("m").path
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: path))
        let json = try CLIRunner.run(["show", path, "--json", "--top", "2"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["duplicate_groups"] as? Int == 7_002)
        #expect(object["duplicate_bytes"] as? Int == redundant)
        let largest = try #require(object["duplicates"] as? [[String: Any]])
        #expect(largest.count == 2)
        #expect(largest.first?["size"] as? Int == 5_368_709_120 && largest.first?["paths"] as? [String] == ["z/a", "z/b"])
        #expect(largest.last?["copies"] as? Int == 3)
        #expect(largest.last?["paths"] as? [String] == ["d004/f998", "d030/f005", "d069/f005"])
    }
}

extension ManifestCommandTests {
    /// `manifest DIR --reuse PREVIOUS -o FILE`, end to end: the first run reads everything and
    /// says why, the next reuses every unchanged file and says how many, the result is the full
    /// run's, and misuse is one line and exit 2.
    @Test func reuseSaysWhatItReusedAndWhatItRead() throws {
        let (root, source, _) = try VerifyCommandTests.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = root.appendingPathComponent("chain.manifest.gz").path
        let first = try CLIRunner.run(["manifest", source.path, "--reuse", manifest, "-o", manifest])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.errorLines.first?.hasPrefix("snapcheck: --reuse: \(manifest): cannot") == true
            && first.errorLines.first?.hasSuffix("every file was read") == true, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: manifest + ".stat"))
        let second = try CLIRunner.run(["manifest", source.path, "--reuse", manifest, "-o", manifest])
        #expect(second.status == 0 && second.errorLines.count == 1, "\(second.stderr)")
        let files = try #require(try CLIRunner.run(["show", manifest, "--json"]).stdout.firstMatch(of: /"files":(\d+)/)?.1)
        #expect(second.stderr.contains("; \(files) files (") && second.stderr.contains("reused unread (size, mtime, ctime, inode and device unchanged), 0 read"),
                "\(second.stderr)")
        // The same snapshot as a full run.
        let full = try CLIRunner.run(["manifest", source.path, "-o", root.appendingPathComponent("full.manifest").path])
        #expect(second.stdout == full.stdout && first.stdout == full.stdout)
        // Misuse: one line, exit 2.
        let toStdout = try CLIRunner.run(["manifest", source.path, "--reuse", manifest])
        #expect(toStdout.status == 2 && toStdout.errorLines == ["snapcheck: --reuse needs -o FILE (the next run reads FILE.stat)"])
    }
}
