import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the recipes of docs/hooks.md exactly as written there, with only the paths changed,
/// against the real tools.
struct HookRecipeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The code block that follows the `<!-- tested-recipe: NAME -->` (or `tested-unit`) marker.
    static func block(_ marker: String) throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/hooks.md"), encoding: .utf8)
        let found = try #require(text.range(of: "<!-- \(marker) -->"))
        let fence = try #require(text.range(of: "```", range: found.upperBound..<text.endIndex))
        let start = try #require(text.range(of: "\n", range: fence.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// A scratch folder with the example tree as `data`, the recipe as an executable script,
    /// and a `bin` folder holding `snapcheck`.
    struct Workspace {
        let root: URL
        var source: URL { root.appendingPathComponent("data") }
        var bin: URL { root.appendingPathComponent("bin") }
        var manifest: URL { root.appendingPathComponent("data.manifest.gz") }

        init(recipe: String) throws {
            root = try Scratch.directory()
            try FileManager.default.copyItem(at: HookRecipeTests.packageRoot.appendingPathComponent("Fixtures/example/source"), to: source)
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("snapcheck").path, withDestinationPath: CLIRunner.binary)
            try write(script: HookRecipeTests.block("tested-recipe: \(recipe)"), to: bin.appendingPathComponent("recipe.sh"))
        }

        func write(script: String, to url: URL) throws {
            try Data(script.utf8).write(to: url)
            #expect(chmod(url.path, 0o755) == 0)
        }

        func remove() { _ = try? VerifyCommandTests.run("/bin/rm", ["-rf", root.path]) }

        /// Runs `command` with exactly `environment` (nothing inherited), stdout and stderr
        /// together.
        func run(_ command: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = environment.merging(["HOME": root.path, "LC_ALL": "C"]) { $1 }
            process.currentDirectoryURL = root
            let log = root.appendingPathComponent("log-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
        }

        /// Runs the recipe with snapcheck on PATH and `variables`.
        func recipe(_ variables: [String: String], path: String? = nil) throws -> (status: Int32, output: String) {
            try run([bin.appendingPathComponent("recipe.sh").path], variables.merging(["PATH": path ?? (bin.path + ":/usr/bin:/bin")]) { $1 })
        }

        /// Flips a bit in the middle of a file without changing its size or mtime.
        func damage(_ file: URL) throws {
            let before = try VerifyCommandTests.run("/usr/bin/stat", ["-c", "%Y", file.path])
            var bytes = [UInt8](try Data(contentsOf: file))
            bytes[bytes.count / 2] ^= 0x20
            try Data(bytes).write(to: file)
            _ = try VerifyCommandTests.run("/usr/bin/touch", ["-d", "@" + before.trimmingCharacters(in: .whitespacesAndNewlines), file.path])
        }
    }

    @Test func rsyncRecipeVerifiesThenCatchesDamage() throws {
        let work = try Workspace(recipe: "rsync")
        defer { work.remove() }
        let destination = work.root.appendingPathComponent("backup")
        let variables = ["SRC": work.source.path, "DEST": destination.path, "MANIFEST": work.manifest.path]
        let first = try work.recipe(variables)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.hasPrefix("VERIFIED: "))
        #expect(try String(contentsOfFile: work.manifest.path + ".report", encoding: .utf8).hasPrefix("VERIFIED: "))

        // Damage a file in the backup without changing its size or mtime, as a failing disk
        // would: rsync's quick check does not see it, the verification does.
        let victim = destination.appendingPathComponent("projects/plan.md")
        var bytes = [UInt8](try Data(contentsOf: victim))
        bytes[3] ^= 0x20
        try Data(bytes).write(to: victim)
        _ = try VerifyCommandTests.run("/usr/bin/touch", ["-r", work.source.appendingPathComponent("projects/plan.md").path, victim.path])
        let second = try work.recipe(variables)
        #expect(second.status == 1, "\(second.output)")
        #expect(second.output.hasPrefix("NOT VERIFIED: 1 file damaged (87 bytes in 1 damaged chunk)"))
        #expect(second.output.contains("projects/plan.md: damaged chunk at bytes 0–86 (87 bytes in 1 chunk;"))
    }

    @Test func recipesRefuseToRunWithoutSnapcheckOrAVariable() throws {
        let work = try Workspace(recipe: "rsync")
        defer { work.remove() }
        let variables = ["SRC": work.source.path, "DEST": work.root.appendingPathComponent("backup").path, "MANIFEST": work.manifest.path]
        let missing = try work.recipe(variables, path: "/usr/bin:/bin")
        #expect(missing.status == 2 && missing.output.contains("snapcheck is not on PATH"), "\(missing.output)")
        var unset = variables
        unset["DEST"] = nil
        let incomplete = try work.recipe(unset)
        #expect(incomplete.status == 2 && incomplete.output.contains("DEST"), "\(incomplete.output)")
        // A snapcheck that is killed is not a pass either.
        try work.write(script: "#!/bin/sh\nkill -9 $$\n", to: work.bin.appendingPathComponent("snapcheck-killed"))
        try FileManager.default.removeItem(at: work.bin.appendingPathComponent("snapcheck"))
        try FileManager.default.createSymbolicLink(atPath: work.bin.appendingPathComponent("snapcheck").path,
                                                   withDestinationPath: work.bin.appendingPathComponent("snapcheck-killed").path)
        let killed = try work.recipe(variables)
        #expect(killed.status == 2, "\(killed.output)")
    }

    @Test func tarRecipeVerifiesAPosixArchive() throws {
        let work = try Workspace(recipe: "tar")
        defer { work.remove() }
        // A socket, which tar leaves out and the recipe excludes.
        try Self.makeSocket(at: work.source.appendingPathComponent("projects/agent.sock"))
        let archive = work.root.appendingPathComponent("data.tar.gz")
        let variables = ["SRC": work.source.path, "ARCHIVE": archive.path, "MANIFEST": work.manifest.path]
        let first = try work.recipe(variables)
        #expect(first.status == 0, "\(first.output)")
        // tar says it left the socket out; the verdict follows, with no missing socket and no
        // mtime warnings (pax keeps nanoseconds), read from the archive itself.
        #expect(first.output.contains("socket ignored"))
        #expect(first.output.contains("\nVERIFIED: 6 files, 220.0 kB, byte-for-byte\n"), "\(first.output)")
        #expect(first.output.contains("target \(archive.path)"), "\(first.output)")
        #expect(!first.output.contains("metadata") && !first.output.contains("missing"), "\(first.output)")
        // Damage inside the compressed archive: the verification says so (exit 1).
        var bytes = [UInt8](try Data(contentsOf: archive))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: archive)
        let damaged = try work.run([work.bin.appendingPathComponent("snapcheck").path, "verify", work.manifest.path, archive.path], [:])
        #expect(damaged.status == 1, "\(damaged.output)")
    }

    @Test func resticRecipeRestoresTheSnapshotItMade() throws {
        let work = try Workspace(recipe: "restic")
        defer { work.remove() }
        let repository = work.root.appendingPathComponent("restic-repo")
        let variables = ["SRC": work.source.path, "MANIFEST": work.manifest.path, "RESTIC_REPOSITORY": repository.path,
                         "RESTIC_PASSWORD": "correct horse", "SCRATCH": work.root.path]
        let initialized = try work.run(["/usr/bin/restic", "init", "-q"], variables.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        #expect(initialized.status == 0, "\(initialized.output)")
        // A newer snapshot of another path in the same repository: `restore latest` would
        // restore it; the recipe must restore its own.
        let other = work.root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("other".utf8).write(to: other.appendingPathComponent("x"))
        let result = try work.recipe(variables)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("VERIFIED: 6 files, 220.0 kB, byte-for-byte"), "\(result.output)")
        _ = try work.run(["/usr/bin/restic", "backup", "-q", other.path], variables.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        let again = try work.recipe(variables)
        #expect(again.status == 0, "\(again.output)")
    }

    @Test func borgRecipeExtractsTheArchiveItMade() throws {
        let work = try Workspace(recipe: "borg")
        defer { work.remove() }
        let repository = work.root.appendingPathComponent("borg-repo")
        let variables = ["SRC": work.source.path, "MANIFEST": work.manifest.path, "BORG_REPO": repository.path,
                         "BORG_PASSPHRASE": "correct horse", "SCRATCH": work.root.path]
        let initialized = try work.run(["/usr/bin/borg", "init", "--encryption=repokey"], variables.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        #expect(initialized.status == 0, "\(initialized.output)")
        let result = try work.recipe(variables)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("VERIFIED: 6 files, 220.0 kB, byte-for-byte"), "\(result.output)")
    }

    @Test func borgStreamRecipeVerifiesTheExportedTar() throws {
        let work = try Workspace(recipe: "borg-stream")
        defer { work.remove() }
        let repository = work.root.appendingPathComponent("borg-repo")
        let variables = ["SRC": work.source.path, "MANIFEST": work.manifest.path, "BORG_REPO": repository.path,
                         "BORG_PASSPHRASE": "correct horse"]
        let initialized = try work.run(["/usr/bin/borg", "init", "--encryption=repokey"], variables.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        #expect(initialized.status == 0, "\(initialized.output)")
        let result = try work.recipe(variables)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("VERIFIED: 6 files, 220.0 kB, byte-for-byte"), "\(result.output)")
        #expect(result.output.contains("target -"), "\(result.output)")
    }

    @Test func resticStreamRecipeVerifiesTheDumpedTar() throws {
        let work = try Workspace(recipe: "restic-stream")
        defer { work.remove() }
        let repository = work.root.appendingPathComponent("restic-repo")
        let variables = ["SRC": work.source.path, "MANIFEST": work.manifest.path, "RESTIC_REPOSITORY": repository.path,
                         "RESTIC_PASSWORD": "correct horse"]
        let initialized = try work.run(["/usr/bin/restic", "init", "-q"], variables.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        #expect(initialized.status == 0, "\(initialized.output)")
        let result = try work.recipe(variables)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("VERIFIED: 6 files, 220.0 kB, byte-for-byte"), "\(result.output)")
        // A dump cut short (restic stopped half-way) is a finding, never a pass.
        let cut = try work.run(["/bin/sh", "-c", """
            snapshot=$(restic snapshots --json | sed -n 's/.*"id":"\\([0-9a-f]*\\)".*/\\1/p' | head -n 1)
            restic dump "$snapshot" "$SRC" | head -c 100000 | snapcheck verify "$MANIFEST" - --prefix "${SRC#/}"
            """], variables.merging(["PATH": work.bin.path + ":/usr/bin:/bin"]) { $1 })
        #expect(cut.status == 1, "\(cut.output)")
        #expect(cut.output.contains("damaged at byte"), "\(cut.output)")
    }

    @Test func cronLineRunsWithCronsEnvironment() throws {
        let work = try Workspace(recipe: "rsync")
        defer { work.remove() }
        try FileManager.default.moveItem(at: work.bin.appendingPathComponent("recipe.sh"), to: work.bin.appendingPathComponent("backup-and-verify.sh"))
        let crontab = try Self.block("tested-recipe: cron")
            .replacingOccurrences(of: "/usr/local/bin", with: work.bin.path)
            .replacingOccurrences(of: "/srv/data", with: work.source.path)
            .replacingOccurrences(of: "/mnt/backup/data", with: work.root.appendingPathComponent("backup").path)
            .replacingOccurrences(of: "/var/lib/snapcheck", with: work.root.path)
            .replacingOccurrences(of: "/var/log", with: work.root.path)
        // What cron gives a job: SHELL=/bin/sh, PATH=/usr/bin:/bin, HOME, LOGNAME, then the
        // crontab's own variables; the command runs through `sh -c`.
        var environment = ["SHELL": "/bin/sh", "PATH": "/usr/bin:/bin", "LOGNAME": "root"]
        var command: String?
        for line in crontab.split(separator: "\n") where !line.hasPrefix("#") {
            if let equals = line.firstIndex(of: "="), !line.prefix(upTo: equals).contains(" ") {
                environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
            } else {
                command = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true).last.map(String.init)
            }
        }
        let job = try #require(command)
        let quiet = try work.run(["/bin/sh", "-c", job], environment)
        #expect(quiet.status == 0 && quiet.output.isEmpty, "a verified backup prints nothing: \(quiet.output)")
        try work.damage(work.root.appendingPathComponent("backup/finance/2025/ledger.csv"))
        let loud = try work.run(["/bin/sh", "-c", job], environment)
        #expect(loud.output.hasPrefix("NOT VERIFIED: 1 file damaged"), "\(loud.output)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdUnitsPassSystemdAnalyzeVerify() throws {
        let work = try Workspace(recipe: "rsync")
        defer { work.remove() }
        let units = work.root.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        for name in ["backup-verify.service", "backup-verify.timer"] {
            let text = try Self.block("tested-unit: \(name)")
                .replacingOccurrences(of: "/usr/local/bin/backup-and-verify.sh", with: work.bin.appendingPathComponent("recipe.sh").path)
            try Data(text.utf8).write(to: units.appendingPathComponent(name))
        }
        let result = try work.run(["/usr/bin/systemd-analyze", "verify", "--man=no",
                                   units.appendingPathComponent("backup-verify.service").path,
                                   units.appendingPathComponent("backup-verify.timer").path],
                                  ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "warning"])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains(units.path), "\(result.output)")
    }

    /// A Unix socket file at `url` (bound, then closed: the file stays).
    static func makeSocket(at url: URL) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(url.path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
    }
}
