import Foundation
import Testing

/// Paths on the command line: a manifest on standard input, and names that are not UTF-8.
struct PathArgumentTests {
    @Test func aManifestOnStandardInputVerifies() throws {
        let (root, source, manifest) = try VerifyCommandTests.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let verified = try CLIRunner.run(["verify", "-", source.path], input: manifest)
        #expect(verified.status == 0)
        #expect(verified.stdout.hasPrefix("VERIFIED"))
        let shown = try CLIRunner.run(["show", "-"], input: manifest)
        #expect(shown.status == 0 && shown.stdout.contains("intact     yes"))
        // A rolling state needs to name the manifest it is about.
        let state = root.appendingPathComponent("state").path
        let refused = try CLIRunner.run(["verify", "-", source.path, "--state", state], input: manifest)
        #expect(refused.status == 2)
        #expect(refused.errorLines == ["snapcheck: --state needs the manifest as a file, not on standard input"])
    }

    @Test func aDirectoryNamedInLatin1IsRecordedAndVerified() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        // The shell makes the name and passes it through: Foundation's Process cannot pass bytes
        // that are not UTF-8 in an argument.
        let script = """
            set -e
            cd '\(root.path)'
            dir=$(printf 'caf\\351')
            mkdir "$dir" && printf 'soup\\n' > "$dir/menu"
            '\(CLIRunner.binary)' manifest "$dir" -o m.manifest > /dev/null 2>&1
            '\(CLIRunner.binary)' verify m.manifest "$dir" > verify.out
            printf X >> "$dir/menu"
            '\(CLIRunner.binary)' verify m.manifest "$dir" > damaged.out || echo "exit $?" >> damaged.out
            """
        _ = try VerifyCommandTests.run("/bin/sh", ["-c", script])
        let verify = try String(contentsOf: root.appendingPathComponent("verify.out"), encoding: .utf8)
        #expect(verify.hasPrefix("VERIFIED"))
        let damaged = try String(contentsOf: root.appendingPathComponent("damaged.out"), encoding: .utf8)
        #expect(damaged.hasPrefix("NOT VERIFIED") && damaged.hasSuffix("exit 1\n"))
        // The manifest records the directory's real bytes as its source (escaped).
        let manifest = try String(contentsOf: root.appendingPathComponent("m.manifest"), encoding: .utf8)
        #expect(manifest.contains("/caf\\xe9\n"))
    }
}
