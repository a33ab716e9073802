import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

struct SnapshotBuilderTests {
    /// A tree with one entry of every type and some hostile names.
    static func sampleTree() throws -> TreeBuilder {
        let tree = try TreeBuilder()
        tree.directory("a")
        tree.directory("a/b")
        tree.file("a/b/f.txt", "hello\n")
        tree.directory("a-b")
        tree.file("a-b/g", "x")
        tree.file("a0", "zero")
        tree.file(Array("new\nline".utf8), Array("n".utf8))
        tree.file(Array("back\\slash".utf8), Array("b".utf8))
        tree.file([0x62, 0x61, 0x64, 0xFF, 0xFE], Array("invalid utf8".utf8))
        tree.file(Array(repeating: UInt8(ascii: "L"), count: 255), Array("long name".utf8))
        tree.file("empty")
        tree.file("exec.sh", "#!/bin/sh\n", mode: 0o755)
        tree.symlink("link", to: "a/b/f.txt")
        tree.symlink("loop", to: "loop")
        tree.symlink("escape", to: "../../../etc/passwd")
        tree.fifo("pipe")
        tree.socket("sock")
        return tree
    }

    @Test func recordsEveryTypeInTreeOrder() throws {
        let tree = try Self.sampleTree()
        defer { tree.remove() }
        let big = FixtureInput.random(seed: 3, count: 3_000_000)
        tree.file(Array("big.bin".utf8), big)
        let entries = try tree.entries()
        let paths = entries.map(\.displayPath)
        #expect(paths == [
            "L" + String(repeating: "L", count: 254), "a-b", "a-b/g", "a", "a/b", "a/b/f.txt", "a0",
            "back\\\\slash", "bad\\xff\\xfe", "big.bin", "empty", "escape", "exec.sh", "link", "loop",
            "new\\x0aline", "pipe", "sock",
        ])
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.displayPath, $0) })
        #expect(byPath["a"]?.kind == .directory)
        #expect(byPath["pipe"]?.kind == .fifo)
        #expect(byPath["sock"]?.kind == .socket)
        #expect(byPath["loop"]?.symlinkTarget == Array("loop".utf8))
        #expect(byPath["escape"]?.symlinkTarget == Array("../../../etc/passwd".utf8))
        #expect(try #require(byPath["link"]).size == 9)
        #expect(byPath["exec.sh"]?.mode == 0o755)
        #expect(byPath["empty"]?.chunks.isEmpty == true)
        #expect(byPath["a/b/f.txt"]?.chunks.map(\.digest) == [SHA256.digest(of: Array("hello\n".utf8))])
        let expected = big.withUnsafeBytes { FastCDC(.default).boundaries(of: $0) }
        #expect(byPath["big.bin"]?.chunks.map { ChunkBoundary(offset: $0.offset, length: $0.length) } == expected)
        #expect(entries.allSatisfy { $0.status == .ok })
        // The walk's order is the manifest's order.
        for (first, second) in zip(entries, entries.dropFirst()) {
            #expect(TreeOrder.compare(first.path, isDirectory: first.kind == .directory,
                                      second.path, isDirectory: second.kind == .directory) < 0)
        }
    }

    @Test(.enabled(if: getuid() == 0, "creating device nodes needs root (CI runs as root)"))
    func recordsDeviceNodesWithoutOpeningThem() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        #expect(tree.withPath(Array("null".utf8)) { mknod($0, S_IFCHR | 0o666, 1 << 8 | 3) } == 0)
        #expect(tree.withPath(Array("loop0".utf8)) { mknod($0, S_IFBLK | 0o600, 7 << 8) } == 0)
        _ = tree.withPath(Array("null".utf8)) { chmod($0, 0o666) }
        let entries = try tree.entries()
        #expect(entries.map(\.kind) == [.blockDevice, .characterDevice])
        #expect(entries.map(\.mode) == [0o600, 0o666])
    }

    @Test func deepPathsBeyondPathMax() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        var path: [UInt8] = []
        let component = Array(repeating: UInt8(ascii: "d"), count: 200)
        // Create it step by step with openat, since the full path is longer than PATH_MAX.
        var fd = open(tree.root.path, O_RDONLY | O_DIRECTORY)
        for _ in 0..<30 {
            let made = (component + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { name -> Int32 in
                    mkdirat(fd, name.baseAddress!, 0o755)
                    return openat(fd, name.baseAddress!, O_RDONLY | O_DIRECTORY)
                }
            }
            close(fd)
            fd = made
            path += path.isEmpty ? component : [0x2F] + component
        }
        let file = openat(fd, "leaf", O_WRONLY | O_CREAT, 0o644)
        _ = write(file, "deep", 4)
        close(file)
        close(fd)
        let entries = try tree.entries()
        #expect(entries.count == 31)
        #expect(entries.last?.path == path + Array("/leaf".utf8))
        #expect(entries.last!.path.count > Int(PATH_MAX))
        #expect(entries.last?.chunks.first?.digest == SHA256.digest(of: Array("deep".utf8)))
        // And the manifest carries it back exactly.
        let roundTrip = try ManifestTests.roundTrip(entries, gzip: false)
        #expect(roundTrip == entries)
        // Clean up the deep tree, which FileManager cannot remove by path.
        _ = try? TestSupport.run("/bin/rm", ["-rf", tree.root.path])
    }

    @Test func snapshotIDIsTheSameAcrossThreadCountsRunsAndCompression() throws {
        let tree = try Self.sampleTree()
        defer { tree.remove() }
        for index in 0..<40 { tree.file("many-\(index)", String(repeating: "x", count: index * 997)) }
        tree.file(Array("big.bin".utf8), FixtureInput.random(seed: 9, count: 2_500_000))
        var ids: Set<Digest> = []
        let output = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        for (threads, name) in [(1, "one"), (2, "two"), (7, "seven.gz"), (2, "again.gz")] {
            let path = output.appendingPathComponent(name).path
            let writer = try ManifestWriter(path: FilePath(path), parameters: .default, source: FilePath(tree.root.path))
            try SnapshotBuilder.build(root: FilePath(tree.root.path), options: SnapshotOptions(threads: threads)) { try writer.append($0) }
            let summary = try writer.finish()
            ids.insert(summary.snapshotID)
            #expect(try ManifestReader(path: FilePath(path)).validate().snapshotID == summary.snapshotID)
        }
        #expect(ids.count == 1)
        // Any change to the tree changes the id.
        tree.file("a0", "ZERO")
        let writer = try ManifestWriter(path: FilePath(output.appendingPathComponent("changed").path), parameters: .default)
        try SnapshotBuilder.build(root: FilePath(tree.root.path)) { try writer.append($0) }
        #expect(try writer.finish().snapshotID != ids.first)
    }

    @Test func excludesNamesAndPaths() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.directory("keep")
        tree.file("keep/a.txt", "a")
        tree.file("keep/a.tmp", "t")
        tree.directory("cache")
        tree.file("cache/big", "c")
        tree.directory("keep/cache")
        tree.file("keep/cache/x", "x")
        let options = SnapshotOptions(walk: WalkOptions(excludes: ["*.tmp", "/cache"]))
        let paths = try tree.entries(options: options).map(\.displayPath)
        #expect(paths == ["keep", "keep/a.txt", "keep/cache", "keep/cache/x"])
        let byName = try tree.entries(options: SnapshotOptions(walk: WalkOptions(excludes: ["cache"]))).map(\.displayPath)
        #expect(byName == ["keep", "keep/a.tmp", "keep/a.txt"])
    }

    /// A file that grows, or whose mtime moves, while it is read is recorded as changed. The
    /// change is made at a fixed point (after the reads, before the final fstat) so that no
    /// thread timing decides the outcome.
    @Test(arguments: ["append", "touch"])
    func fileChangedWhileReadIsRecordedAsChanged(_ change: String) throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.file(Array("growing.log".utf8), FixtureInput.random(seed: 4, count: 3_000_000))
        let path = tree.root.appendingPathComponent("growing.log").path
        let walker = try TreeWalker(root: FilePath(tree.root.path), options: WalkOptions())
        let walked = try #require(walker.next())
        let hasher = FileHasher(chunker: StreamingChunker(parameters: .default), helpers: nil)
        let (recorded, problem) = hasher.record(walked) {
            if change == "append" {
                let fd = open(path, O_WRONLY | O_APPEND)
                _ = write(fd, "more\n", 5)
                close(fd)
            } else {
                // Access time left as it is (UTIME_OMIT, (1 << 30) - 2 in Linux's stat.h), mtime moved.
                var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: 12_345, tv_nsec: 6)]
                _ = utimensat(AT_FDCWD, path, &times, 0)
            }
        }
        #expect(recorded.entry.status == .changed)
        #expect(problem?.code == .changedWhileReading)
        #expect(problem?.description.hasPrefix("growing.log: changed while it was read") == true)
        // Unchanged, the same file is recorded as ok with the chunks of its bytes.
        let (again, none) = hasher.record(try #require(try TreeWalker(root: FilePath(tree.root.path), options: WalkOptions()).next()))
        #expect(again.entry.status == .ok && none == nil)
        #expect(again.entry.size == UInt64(try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)))
    }

    @Test func missingOrNonDirectoryRootThrows() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.file("plain", "x")
        #expect(throws: SnapCheckError.self) { try SnapshotBuilder.build(root: FilePath(tree.root.path + "/nothing")) { _ in } }
        do {
            try SnapshotBuilder.build(root: FilePath(tree.root.path + "/plain")) { _ in }
            Issue.record("walked a file")
        } catch {
            #expect(error.code == .wrongFileType)
        }
    }
}

extension SnapshotBuilderTests {
    /// A file large enough to be hashed with the helper threads gives exactly the chunks the
    /// single-threaded path gives.
    @Test func largeFileHashedWithHelpersMatchesOneThread() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let path = tree.root.appendingPathComponent("disk.img").path
        _ = try TestSupport.run("/bin/sh", ["-c", "head -c 40000000 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 0000000000000000000000000000000c -iv 00000000000000000000000000000000 > '\(path)'"])
        let one = try tree.entries(options: SnapshotOptions(threads: 1))
        let two = try tree.entries(options: SnapshotOptions(threads: 2))
        let three = try tree.entries(options: SnapshotOptions(threads: 3))
        #expect(try #require(one.first).chunks.count > 20)
        #expect(two == one)
        #expect(three == one)
    }
}
