import Foundation
import Testing

/// `snapcheck chunk` and the exit-code contract, end to end.
struct ChunkCommandTests {
    @Test func versionAndHelpExitZero() throws {
        let version = try CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("snapcheck "))
        let help = try CLIRunner.run(["chunk", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--avg"))
    }

    @Test func singleChunkFileMatchesSha256sum() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("data.bin")
        try Data(Scratch.bytes(count: 100_000, seed: 1)).write(to: file)
        let result = try CLIRunner.run(["chunk", file.path])
        #expect(result.status == 0)
        let expected = try VerifyCommandTests.run("/usr/bin/sha256sum", [file.path]).prefix(64)
        #expect(result.stdout == "0 100000 \(expected)\n")
    }

    @Test func chunkLinesCoverTheFileAndJSONAgrees() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("data.bin")
        try Data(Scratch.bytes(count: 300_001, seed: 2)).write(to: file)
        let text = try CLIRunner.run(["chunk", file.path, "--min", "2K", "--avg", "8K", "--max", "64K", "--level", "2"])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.count > 10)
        var offset = 0
        for fields in lines {
            #expect(Int(fields[0]) == offset)
            offset += Int(fields[1])!
            #expect(fields[2].count == 64)
        }
        #expect(offset == 300_001)
        let json = try CLIRunner.run(["chunk", file.path, "--min", "2048", "--avg", "8192", "--max", "65536", "--level", "2", "--json"])
        #expect(json.status == 0)
        let objects = json.stdout.split(separator: "\n")
        #expect(objects.count == lines.count + 1)
        #expect(objects.last!.contains("\"type\":\"summary\""))
        #expect(objects.last!.contains("\"bytes\":300001"))
        #expect(objects.first!.contains("\"sha256\":\"\(lines[0][2])\""))
    }

    @Test(arguments: [
        ["chunk", "/dev/null"],
        ["chunk", "/definitely/not/here"],
        ["chunk", "/tmp", "--min", "5"],
        ["chunk", "/etc/hostname", "--min", "8K", "--avg", "4K", "--max", "64K"],
        ["chunk", "/etc/hostname", "--level", "9"],
        ["chunk", "/etc/hostname", "--avg", "lots"],
        ["chunk"],
        ["no-such-command"],
    ])
    func badInputGivesOneLineAndExitTwo(_ arguments: [String]) throws {
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("snapcheck: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func fifoIsRefusedWithoutHanging() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try CLIRunner.run(["chunk", fifo], timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr == "snapcheck: \(fifo): not a regular file (FIFO)\n")
    }

    @Test func unreadableFileForAnotherUser() throws {
        let directory = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("secret")
        try Data("secret".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        // Run as nobody (uid 65534), who cannot read a 0600 file owned by someone else; when
        // the tests themselves run as nobody the file is theirs, so there is nothing to test.
        #expect(getuid() != 65534)
        let result = try CLIRunner.run(["chunk", file.path], asUser: 65534)
        #expect(result.status == 2)
        #expect(result.stderr == "snapcheck: \(file.path): cannot open: Permission denied\n")
    }
}
