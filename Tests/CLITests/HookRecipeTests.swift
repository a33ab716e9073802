import Foundation
import Testing

/// Runs the rsync recipe of docs/hooks.md exactly as written there.
struct HookRecipeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shell block that follows the `tested-recipe: rsync` marker.
    static func recipe() throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/hooks.md"), encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- tested-recipe: rsync -->"))
        let start = try #require(text.range(of: "```sh\n", range: marker.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    func runRecipe(_ script: URL, source: URL, destination: URL, manifest: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["SRC"] = source.path
        environment["DEST"] = destination.path
        environment["MANIFEST"] = manifest.path
        process.environment = environment
        let log = script.deletingLastPathComponent().appendingPathComponent("log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    @Test func rsyncRecipeVerifiesThenCatchesDamage() throws {
        let work = try Scratch.directory()
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("data")
        let destination = work.appendingPathComponent("backup")
        _ = try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("Fixtures/example/source"), to: source)
        let script = work.appendingPathComponent("backup-and-verify.sh")
        try Data(try Self.recipe().utf8).write(to: script)
        let manifest = work.appendingPathComponent("data.manifest.gz")

        let (first, firstLog) = try runRecipe(script, source: source, destination: destination, manifest: manifest)
        #expect(first == 0, "\(firstLog)")
        #expect(firstLog.hasPrefix("VERIFIED: "))
        #expect(try String(contentsOfFile: manifest.path + ".report", encoding: .utf8).hasPrefix("VERIFIED: "))

        // Damage a file in the backup without changing its size or mtime, as a failing disk
        // would: rsync's quick check does not see it, the verification does.
        let victim = destination.appendingPathComponent("projects/plan.md")
        var bytes = [UInt8](try Data(contentsOf: victim))
        bytes[3] ^= 0x20
        try Data(bytes).write(to: victim)
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-r", source.appendingPathComponent("projects/plan.md").path, victim.path])
        let (second, secondLog) = try runRecipe(script, source: source, destination: destination, manifest: manifest)
        #expect(second == 1, "\(secondLog)")
        #expect(secondLog.hasPrefix("NOT VERIFIED: 1 file damaged (87 bytes in 1 damaged chunk)"))
        #expect(secondLog.contains("projects/plan.md: damaged chunk at bytes 0–86 (87 bytes in 1 chunk;"))
    }
}
