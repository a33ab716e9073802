import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

struct ManifestTests {
    /// Writes `entries` to a manifest file and reads them back.
    static func roundTrip(_ entries: [TreeEntry], gzip: Bool) throws -> [TreeEntry] {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(gzip ? "m.gz" : "m").path
        let writer = try ManifestWriter(path: FilePath(path), parameters: .default)
        for entry in entries { try writer.append(entry) }
        let written = try writer.finish()
        let reader = try ManifestReader(path: FilePath(path))
        var read: [TreeEntry] = []
        while let entry = try reader.next() { read.append(entry) }
        #expect(reader.summary == written)
        return read
    }

    /// The text of a manifest of the sample tree.
    static func sampleText() throws -> String {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        tree.file(Array("big.bin".utf8), FixtureInput.random(seed: 5, count: 1_500_000))
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m").path
        let writer = try ManifestWriter(path: FilePath(path), parameters: .default, source: FilePath(tree.root.path))
        try SnapshotBuilder.build(root: FilePath(tree.root.path)) { try writer.append($0) }
        _ = try writer.finish()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Reads `text` as a manifest and returns the error it raises, if any.
    /// The error reading `bytes` as a manifest gives, if any; with `skippingChunks`, only the
    /// entries are asked for (``ManifestReader/nextHeader()``), their chunks left unread.
    static func readError(_ bytes: [UInt8], skippingChunks: Bool = false) throws -> SnapCheckError? {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            let reader = try ManifestReader(path: FilePath(path))
            if skippingChunks {
                while try reader.nextHeader() != nil {}
            } else {
                _ = try reader.validate()
            }
            return nil
        } catch {
            return error
        }
    }

    /// Entries read without their chunks, the chunks then taken one at a time, are the
    /// entries read whole; the summary at the end is the same.
    @Test func chunksTakenOneAtATimeAreTheEntrysChunks() throws {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        tree.file(Array("big.bin".utf8), FixtureInput.random(seed: 9, count: 3_000_000))
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = FilePath(directory.path + "/m")
        let options = SnapshotOptions(chunking: try ChunkingParameters(minSize: 1024, avgSize: 4096, maxSize: 16384))
        _ = try SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: path, options: options)
        let whole = try ManifestReader(path: path)
        let streamed = try ManifestReader(path: path)
        var files = 0
        while let expected = try whole.next() {
            var entry = try #require(try streamed.nextHeader())
            #expect(entry.chunks.isEmpty)
            while let chunk = try streamed.nextChunk() { entry.chunks.append(chunk) }
            #expect(entry == expected)
            if expected.kind == .file { files += 1 }
        }
        #expect(try streamed.nextHeader() == nil)
        #expect(streamed.summary == whole.summary)
        #expect(files > 1 && whole.summary?.chunks ?? 0 > 500)
    }

    @Test(arguments: [false, true])
    func entriesRoundTripExactly(gzip: Bool) throws {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        tree.file(Array("big.bin".utf8), FixtureInput.random(seed: 8, count: 2_000_000))
        let entries = try tree.entries()
        #expect(try Self.roundTrip(entries, gzip: gzip) == entries)
    }

    /// A file's chunk lines are written a piece at a time (64 KiB): 5,000 chunks, about 380 KB
    /// of lines, come back exactly, between two other entries.
    @Test func aFileOfThousandsOfChunksRoundTripsExactly() throws {
        var offset: UInt64 = 0
        let chunks = (0..<5000).map { index -> Chunk in
            defer { offset += UInt64(300 + index % 7) }
            return Chunk(offset: offset, length: 300 + index % 7, digest: SHA256.digest(of: Array("chunk \(index)".utf8)))
        }
        let entries = [
            TreeEntry(path: Array("a".utf8), kind: .file, mode: 0o644, modificationTime: FileTime(seconds: 1), size: 0),
            TreeEntry(path: Array("b".utf8), kind: .file, mode: 0o600, modificationTime: FileTime(seconds: 2), size: offset, chunks: chunks),
            TreeEntry(path: Array("c".utf8), kind: .directory, mode: 0o755, modificationTime: FileTime(seconds: 3)),
        ]
        #expect(try Self.roundTrip(entries, gzip: false) == entries)
    }

    @Test func gzipFileIsRealGzipOfThePlainText() throws {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = try tree.entries()
        for name in ["plain", "packed.gz"] {
            let writer = try ManifestWriter(path: FilePath(directory.appendingPathComponent(name).path), parameters: .default, created: 0)
            for entry in entries { try writer.append(entry) }
            _ = try writer.finish()
        }
        let gunzipped = try TestSupport.run("/bin/gzip", ["-dc", directory.appendingPathComponent("packed.gz").path])
        #expect(gunzipped == (try String(contentsOfFile: directory.appendingPathComponent("plain").path, encoding: .utf8)))
    }

    @Test func writingIsAtomic() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("existing.manifest").path
        try Data("old content\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let writer = try ManifestWriter(path: FilePath(path), parameters: .default)
            try writer.append(TreeEntry(path: Array("x".utf8), kind: .file, mode: 0o644, modificationTime: FileTime(seconds: 0)))
            // Abandoned before finish(): the old file stays, the temporary file goes.
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old content\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["existing.manifest"])
    }

    @Test func snapshotIDIsTheDigestOfTheIdentityLines() throws {
        let text = try Self.sampleText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = lines.firstIndex(of: "entries")!
        let end = lines.firstIndex { $0.hasPrefix("end ") }!
        let identity = lines[0..<3].joined(separator: "\n") + "\n" + lines[(start + 1)..<end].joined(separator: "\n") + "\n"
        // Second path: the system's sha256sum over those bytes.
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("identity")
        try Data(identity.utf8).write(to: file)
        let expected = try TestSupport.run("/usr/bin/sha256sum", [file.path]).prefix(64)
        #expect(lines[end + 1] == "snapshot sha256:\(expected)")
    }

    // MARK: - Rejections

    static func mutate(_ text: String, _ change: (inout [String]) -> Void) -> [UInt8] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        change(&lines)
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func rejectsEveryDamage() throws {
        let text = try Self.sampleText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let linkLine = lines.firstIndex { $0.hasPrefix("symlink\tlink\t") }!
        let fileLine = lines.firstIndex { $0.hasPrefix("file\ta-b/g\t") }!
        let chunkLine = lines.firstIndex { $0.hasPrefix("+\t") }!
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "empty file"),
            ("binary", FixtureInput.random(seed: 1, count: 5000), "not a snapcheck manifest"),
            ("other text", Array("root:x:0:0:root:/root:/bin/bash\n".utf8), "not a snapcheck manifest"),
            ("future version", Self.mutate(text) { $0[0] = "snapcheck-manifest v2" }, "unsupported manifest version"),
            ("bad chunking", Self.mutate(text) { $0[1] = "chunking fastcdc-2020 min=5 avg=1048576 max=4194304 level=1" }, "line 2: chunking min size 5"),
            ("truncated mid-line", Array(text.utf8.dropLast(30)), "truncated"),
            ("truncated at an entry", Self.mutate(text) { $0 = Array($0[0...fileLine]) + [""] }, "truncated"),
            ("no snapshot line", Self.mutate(text) { $0.removeLast(2); $0.append("") }, "no snapshot line"),
            ("no header end", Array("snapcheck-manifest v1\nchunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=1\n".utf8), "truncated"),
            ("reordered", Self.mutate(text) { $0.swapAt(linkLine, linkLine + 1) }, "out of order"),
            ("duplicate", Self.mutate(text) { $0.insert($0[fileLine], at: fileLine) }, "chunks of"),
            ("edited size", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "\t1\tok", with: "\t2\tok") }, "add up to"),
            ("edited digest", Self.mutate(text) { $0[chunkLine] = String($0[chunkLine].dropLast()) + ($0[chunkLine].hasSuffix("0") ? "1" : "0") }, "snapshot id does not match"),
            ("edited mode", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "\t0644\t", with: "\t0600\t") }, "snapshot id does not match"),
            ("uppercase digest", Self.mutate(text) { $0[chunkLine] = $0[chunkLine].uppercased().replacingOccurrences(of: "+", with: "+") }, "malformed chunk digest"),
            ("absolute path", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "/a-b/g") }, "absolute path"),
            ("dot-dot", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "a-b/../g") }, "component"),
            ("dot", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "a-b/./g") }, "component"),
            ("empty component", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "a-b//g") }, "component"),
            ("bad escape", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "a-b/\\q") }, "badly escaped"),
            ("orphan", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "a-b/g", with: "a-b0/g") }, "no directory entry for its parent"),
            ("wrong counts", Self.mutate(text) { $0[$0.count - 3] = $0[$0.count - 3].replacingOccurrences(of: "files=", with: "files=1") }, "counts do not match"),
            ("trailing data", Array((text + "extra\n").utf8), "after the snapshot line"),
            ("no final newline", Array(text.utf8.dropLast()), "no newline"),
            ("unknown kind", Self.mutate(text) { $0[fileLine] = $0[fileLine].replacingOccurrences(of: "file\t", with: "door\t") }, "not an entry line"),
        ]
        for (name, bytes, message) in cases {
            let error = try Self.readError(bytes)
            #expect(error?.code == .invalidManifest, "\(name)")
            #expect(error?.description.contains(message) == true, "\(name): \(error?.description ?? "accepted")")
            #expect(error?.description.contains("\n") == false)
            // Chunks left unread are still read and checked.
            let skipping = try Self.readError(bytes, skippingChunks: true)
            #expect(skipping?.line == error?.line && skipping?.description.contains(message) == true, "\(name)")
        }
        #expect(try Self.readError(Array(text.utf8)) == nil)
        #expect(try Self.readError(Array(text.utf8), skippingChunks: true) == nil)
    }

    @Test func rejectsDamagedGzip() throws {
        let text = try Self.sampleText()
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("m")
        try Data(text.utf8).write(to: plain)
        _ = try TestSupport.run("/bin/gzip", ["-k", plain.path])
        var packed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz")))
        #expect(try Self.readError(packed) == nil)
        #expect(try Self.readError(Array(packed.prefix(packed.count / 2)))?.description.contains("truncated") == true)
        packed[packed.count / 2] ^= 0x55
        #expect(try Self.readError(packed)?.code == .invalidManifest)
    }
}
