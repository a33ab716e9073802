// RestoreCheck: records a small tree, proves a copy of it, spot-checks it, damages the copy,
// sees the damage, diffs the two snapshots, and cancels a verification, all through
// SnapCheck's async API. Exits 0 when every step behaved as it should.
import SnapCheck
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Stops the program with a message when a step did not behave.
func require(_ condition: Bool, _ message: String) {
    if !condition {
        print("RestoreCheck: \(message)")
        exit(1)
    }
}

/// Writes `text` to `path`.
func write(_ text: String, to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    require(descriptor >= 0, "cannot create \(path)")
    _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

@main
struct RestoreCheck {
    static func main() async throws {
        // A scratch tree: a source with a few files, and a copy of it (the "restore").
        var template = Array("/tmp/restorecheck-XXXXXX".utf8CString)
        let scratch = FilePath(String(cString: mkdtemp(&template)))
        let source = scratch.appending("source")
        let restore = scratch.appending("restore")
        for directory in [source, source.appending("finance"), restore, restore.appending("finance")] { mkdir(directory.string, 0o755) }
        for (name, text) in [("readme", "hello\n"), ("finance/ledger.csv", String(repeating: "2026,42.00\n", count: 5000))] {
            write(text, to: source.pushing(FilePath(name)).string)
            write(text, to: restore.pushing(FilePath(name)).string)
        }
        defer { _ = system("rm -rf '\(scratch)'") }

        // 1. Record the source, with progress (bytes read so far, and the totals once counted).
        let reports = Mutex<[SnapshotProgress]>([])
        let manifest = scratch.appending("source.manifest.gz")
        let summary = try await SnapshotBuilder.writeManifest(of: source, to: manifest, progress: { progress in
            reports.withLock { $0.append(progress) }
        })
        print("recorded \(summary.files) files, snapshot \(summary.snapshotID)")
        let last = reports.withLock { $0.last }
        require(summary.files == 2 && last?.readBytes == summary.bytes, "the manifest should hold 2 files, with progress to the end")

        // 2. Prove the restore: metadata (mtimes of the copy) does not count by default. The
        //    findings and the summary can be written as the command-line tool's JSON Lines.
        let report = try await Verifier.verify(manifest: manifest, target: restore)
        print("verify: \(report.verified ? "VERIFIED" : "NOT VERIFIED"), \(report.intactFiles) of \(report.expectedFiles) files intact")
        print(JSONLines.summary(report))
        require(report.verified, "an exact copy must verify")

        // 3. A spot-check that reads one chunk is never a verification.
        let spot = try await SpotCheck.run(manifest: manifest, target: restore, sample: .chunks(1), seed: 1)
        print("spot-check: \(spot.verdict)")
        require(spot.verdict == .noDamageFoundInSample, "a one-chunk sample of an intact copy finds no damage and proves no more")

        // 4. Damage the restore: the verification names the file and the byte range.
        write("hellO\n", to: restore.appending("readme").string)
        let found = Mutex<[String]>([])
        let damaged = try await Verifier.verify(manifest: manifest, target: restore) { finding in
            guard finding.counts else { return }  // the rewritten file's new mtime is only a warning
            found.withLock { $0.append("\(finding.kind) \(finding.displayPath) \(finding.ranges.map { "\($0.offset)+\($0.length)" })") }
        }
        print("verify after damage: \(found.withLock { $0 })")
        require(!damaged.verified && found.withLock { $0 } == ["content readme [\"0+6\"]"], "the damaged readme must be found")

        // 5. Diff the two snapshots.
        let restored = scratch.appending("restore.manifest")
        _ = try await SnapshotBuilder.writeManifest(of: restore, to: restored)
        let changes = Mutex<[String]>([])
        let diff = try await ManifestDiff.compare(old: manifest, new: restored) { change in
            changes.withLock { $0.append("\(change.kind) \(change.displayPath)") }
        }
        print("diff: \(changes.withLock { $0 })")
        require(!diff.identical && changes.withLock { $0 }.contains("modified readme"), "the diff must show the modified readme")

        // 6. Cancel a verification: it stops with the error code `cancelled`.
        let task = Task { try await Verifier.verify(manifest: manifest, target: restore) }
        task.cancel()
        switch await task.result {
        case .success: require(false, "a cancelled verification must not finish")
        case .failure(let error): require((error as? SnapCheckError)?.code == .cancelled, "expected cancelled, got \(error)")
        }
        print("cancelled: ok")
        print("RestoreCheck: all steps behaved")
    }
}
