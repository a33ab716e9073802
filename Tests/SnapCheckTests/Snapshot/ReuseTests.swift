import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `manifest --reuse`: files unchanged since the previous manifest keep their chunks unread,
/// and the result is exactly a full run's; every kind of change is seen; a previous manifest
/// that cannot be trusted is not used, or stops the run.
struct ReuseTests {
    /// A tree, a scratch folder, and a fixed creation time so that manifests compare byte for byte.
    struct Fixture {
        let tree: TreeBuilder
        let scratch: URL
        static let created: Int64 = 1_700_000_000

        init() throws {
            tree = try TreeBuilder()
            tree.directory("docs")
            tree.file(Array("docs/big.bin".utf8), FixtureInput.random(seed: 7, count: 3_000_000))
            tree.file("docs/note.txt", "remember the milk\n")
            tree.file("other.txt", "another file\n")
            tree.file(Array("caf".utf8) + [0xE9], Array("latin-1 name\n".utf8))
            tree.symlink("current", to: "docs/note.txt")
            scratch = try TestSupport.temporaryDirectory()
        }

        func remove() {
            tree.remove()
            try? FileManager.default.removeItem(at: scratch)
        }

        var root: FilePath { FilePath(tree.root.path) }

        func path(_ name: String) -> FilePath { FilePath(scratch.path + "/" + name) }

        /// A full run's manifest bytes.
        func fullRun(_ name: String, options: SnapshotOptions = SnapshotOptions()) throws -> [UInt8] {
            let writer = try ManifestWriter(path: path(name), parameters: options.chunking, source: root, created: Self.created)
            try SnapshotBuilder.build(root: root, options: options) { (entry) throws(SnapCheckError) in try writer.append(entry) }
            _ = try writer.finish()
            return try bytes(name)
        }

        func reuse(_ previous: String, into name: String, options: SnapshotOptions = SnapshotOptions()) throws -> ReuseSummary {
            try SnapshotBuilder.writeManifest(of: root, to: path(name), reusing: path(previous), options: options, created: Self.created)
        }

        func bytes(_ name: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + name)))
        }

        /// Sets a file's modification time back to `time` (access time left alone).
        func setModificationTime(_ relative: String, _ time: timespec) {
            var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), time]
            _ = utimensat(AT_FDCWD, tree.root.path + "/" + relative, &times, 0)
        }

        func modificationTime(_ relative: String) -> timespec {
            var info = stat()
            _ = stat(tree.root.path + "/" + relative, &info)
            return info.st_mtim
        }
    }

    @Test func anUnchangedTreeIsRecordedUnreadAndIdenticalToAFullRun() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // The first run has no previous manifest: it reads everything and says why.
        let first = try fixture.reuse("none", into: "first")
        #expect(first.reusedFiles == 0 && first.previousNotUsed != nil)
        let full = try fixture.fullRun("full")
        #expect(try fixture.bytes("first") == full)
        // The second takes every file over, and is still byte for byte the full run.
        let second = try fixture.reuse("first", into: "second")
        #expect(second.previousNotUsed == nil)
        #expect(second.reusedFiles == 4 && second.reusedBytes == second.manifest.bytes)
        #expect(try fixture.bytes("second") == full)
        // A manifest reused in place (PREVIOUS is FILE), and again: the chain goes on.
        let inPlace = try fixture.reuse("second", into: "second")
        #expect(inPlace.reusedFiles == 4)
        #expect(try fixture.bytes("second") == full)
        #expect(try fixture.reuse("second", into: "second").reusedFiles == 4)
    }

    /// A file taken over keeps its chunks as the previous manifest's lines, or, when it has
    /// many (above `PreviousManifest.linesUpTo`, expected), as parsed chunks written out again:
    /// with 256-byte chunks the 3 MB file has about 11,700 and goes the second way, the small
    /// ones the first, and the result is still byte for byte a full run's.
    @Test func filesWithManyChunksAndWithFewAreBothTakenOverExactly() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let options = SnapshotOptions(chunking: try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024))
        var big = stat()
        #expect(stat(fixture.tree.root.path + "/docs/big.bin", &big) == 0)
        #expect(Int(big.st_size) / 256 > PreviousManifest.linesUpTo)
        let full = try fixture.fullRun("full", options: options)
        _ = try fixture.reuse("none", into: "first", options: options)
        let second = try fixture.reuse("first", into: "second", options: options)
        #expect(second.reusedFiles == 4)
        #expect(try fixture.bytes("second") == full)
    }

    @Test func everyChangeThatShowsInTheFileStatusIsRead() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        _ = try fixture.reuse("none", into: "before")
        let root = fixture.tree.root.path
        // Same size, same mtime, other bytes: only the ctime tells.
        let time = fixture.modificationTime("docs/note.txt")
        fixture.tree.file("docs/note.txt", "remember the MILK\n")
        fixture.setModificationTime("docs/note.txt", time)
        // Another file with the same size and time moved over it: another inode.
        let otherTime = fixture.modificationTime("other.txt")
        try Data("ANOTHER FILE\n".utf8).write(to: URL(fileURLWithPath: fixture.scratch.path + "/swap"))
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), otherTime]
        _ = utimensat(AT_FDCWD, fixture.scratch.path + "/swap", &times, 0)
        #expect(rename(fixture.scratch.path + "/swap", root + "/other.txt") == 0)
        // A mode change.
        chmod(root + "/docs/big.bin", 0o600)
        let outcome = try fixture.reuse("before", into: "after")
        #expect(outcome.reusedFiles == 1, "only the Latin-1 file is untouched")
        #expect(try fixture.bytes("after") == (try fixture.fullRun("full")))
    }

    @Test func aPreviousManifestThatCannotBeTrustedIsNotUsed() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        _ = try fixture.reuse("none", into: "previous")
        let full = try fixture.fullRun("full")
        // Other chunking parameters.
        let other = try SnapshotBuilder.writeManifest(
            of: fixture.root, to: fixture.path("chunked"), reusing: fixture.path("previous"),
            options: SnapshotOptions(chunking: try ChunkingParameters(minSize: 2048, avgSize: 8192, maxSize: 65536)))
        #expect(other.reusedFiles == 0 && other.previousNotUsed?.contains("other chunking") == true)
        // The manifest copied away from its side file (another inode): not the file the side file describes.
        _ = try TestSupport.run("/bin/cp", [fixture.path("previous").string, fixture.path("copy").string])
        _ = try TestSupport.run("/bin/cp", [fixture.path("previous.stat").string, fixture.path("copy.stat").string])
        let copied = try fixture.reuse("copy", into: "fromCopy")
        #expect(copied.reusedFiles == 0 && copied.previousNotUsed?.contains("another version") == true)
        #expect(try fixture.bytes("fromCopy") == full)
        // A damaged side file.
        _ = try TestSupport.run("/bin/sh", ["-c", "printf 'XX' | dd of='\(fixture.path("previous.stat").string)' bs=1 seek=3 conv=notrunc 2>/dev/null"])
        let damagedSide = try fixture.reuse("previous", into: "fromDamagedSide")
        #expect(damagedSide.reusedFiles == 0 && damagedSide.previousNotUsed?.contains("damaged") == true)
    }

    /// A previous manifest whose bytes rotted without its file's size or time changing: files
    /// are taken from it before its end shows the damage, so the run stops and writes nothing.
    @Test func aPreviousManifestDamagedInPlaceStopsTheRun() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        _ = try fixture.reuse("none", into: "previous")
        let previous = fixture.path("previous").string
        var info = stat()
        _ = stat(previous, &info)
        var text = try String(contentsOfFile: previous, encoding: .utf8)
        // One hex digit of the first chunk digest, changed in place.
        let marker = try #require(text.range(of: "sha256:"))
        let digit = text.index(marker.upperBound, offsetBy: 0)
        let replacement: Character = text[digit] == "0" ? "1" : "0"
        text.replaceSubrange(digit...digit, with: String(replacement))
        try text.write(toFile: previous, atomically: false, encoding: .utf8)
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), info.st_mtim]
        _ = utimensat(AT_FDCWD, previous, &times, 0)
        _ = try fixture.fullRun("output")
        let before = try fixture.bytes("output")
        #expect(throws: SnapCheckError.self) { try fixture.reuse("previous", into: "output") }
        // The existing output is untouched, and no temporary file is left.
        #expect(try fixture.bytes("output") == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.scratch.path).filter { $0.contains("snapcheck-") }
        #expect(left.isEmpty, "\(left)")
    }
}
