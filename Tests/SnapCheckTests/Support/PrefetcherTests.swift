import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// Reading ahead on slow storage: the advice really brings a file's pages in, and a check
/// that reads ahead says exactly what one that does not says.
struct PrefetcherTests {
    /// The share of a file's pages in the page cache (mincore over a mapping of it).
    static func residentShare(_ path: String) throws -> Double {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        let mapping = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        defer { munmap(mapping, size) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (size + pageSize - 1) / pageSize)
        #expect(mincore(mapping, size, &vector) == 0)
        return Double(vector.filter { $0 & 1 == 1 }.count) / Double(vector.count)
    }

    @Test func adviceBringsTheRequestedRangeIntoThePageCache() throws {
        // In the build folder, on the disk that holds the package: /tmp may be a tmpfs, whose
        // pages cannot leave memory.
        let folder = FileManager.default.currentDirectoryPath + "/.build/prefetch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cold.bin"
        try Data(FixtureInput.random(seed: 8, count: 8 << 20)).write(to: URL(fileURLWithPath: path))
        // Out of the page cache (clean pages: no root needed).
        let fd = open(path, O_RDONLY)
        fsync(fd)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        close(fd)
        let before = try Self.residentShare(path)
        let directory = try #require(try? DirectoryHandle.open(folder, in: AT_FDCWD).get())
        let prefetcher = Prefetcher(monitor: ReadMonitor(cancellation: nil), threads: 2)
        prefetcher.offer(Prefetcher.Request(location: .file(name: ArraySlice("cold.bin".utf8), directory: directory), offset: 0, length: 8 << 20))
        // The advice starts the reads; they complete shortly after.
        var after = 0.0
        for _ in 0..<200 where after < 0.99 {
            usleep(10_000)
            after = try Self.residentShare(path)
        }
        prefetcher.shutDown()
        #expect(before < 0.5, "the file was still cached: \(before)")
        #expect(after >= 0.99, "resident after the advice: \(after)")
    }

    /// The same damaged target checked with and without reading ahead: the same report and
    /// findings; the same manifest recorded with and without.
    @Test func readingAheadChangesNothingButTheSpeed() throws {
        let scenario = try VerifierTests.Scenario()
        defer { scenario.remove() }
        let handle = try FileHandle(forUpdating: scenario.target.appendingPathComponent("docs/big.bin"))
        try handle.seek(toOffset: 150_000)
        handle.write(Data([7, 7, 7]))
        try handle.close()
        try FileManager.default.removeItem(at: scenario.target.appendingPathComponent("readme"))
        func verify(readingAhead: Bool) throws -> (VerificationReport, [Finding]) {
            var options = VerifyOptions(threads: 2)
            options.readsAheadAlways = readingAhead
            var findings: [Finding] = []
            let report = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options) {
                findings.append($0)
            }
            return (report, findings)
        }
        let plain = try verify(readingAhead: false)
        let ahead = try verify(readingAhead: true)
        #expect(plain.1 == ahead.1 && plain.0 == ahead.0)
        #expect(plain.1.contains { $0.kind == .content } && plain.1.contains { $0.kind == .missing })
        func record(readingAhead: Bool) throws -> [TreeEntry] {
            var options = SnapshotOptions(chunking: VerifierTests.parameters, threads: 2)
            options.readsAheadAlways = readingAhead
            var entries: [TreeEntry] = []
            try SnapshotBuilder.build(root: FilePath(scenario.target.path), options: options) { entries.append($0) }
            return entries
        }
        #expect(try record(readingAhead: true) == (try record(readingAhead: false)))
    }
}

/// The files opened ahead, between the request and the worker: each goes to the worker of its
/// own directory and to no other, and none is left behind.
struct OpenedAheadTests {
    /// A file of the tree opened for reading, as a prefetch thread opens it.
    static func open(_ tree: TreeBuilder, _ path: String) throws -> OpenedAhead.File {
        let descriptor = Glibc.open(tree.root.path + "/" + path, O_RDONLY)
        #expect(descriptor >= 0)
        var status = stat()
        fstat(descriptor, &status)
        return OpenedAhead.File(descriptor: descriptor, status: status)
    }

    static func directory(_ tree: TreeBuilder, _ path: String) throws -> DirectoryHandle {
        try #require(try? DirectoryHandle.open(tree.root.path + "/" + path, in: AT_FDCWD).get())
    }

    @Test func aFileOpenedAheadIsHandedOnlyToItsOwnDirectory() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.directory("a")
        tree.directory("b")
        tree.file("a/same", "content of a")
        tree.file("b/same", "content of b")
        let name = Array("same".utf8)[...]
        let a = OpenedAhead.Key(directory: try Self.directory(tree, "a"), name: name)
        let b = OpenedAhead.Key(directory: try Self.directory(tree, "b"), name: name)
        let aAgain = OpenedAhead.Key(directory: try Self.directory(tree, "a"), name: name)
        let opened = OpenedAhead(limit: 8)
        opened.queued(a)
        guard case .keep = opened.claim(a) else { Issue.record("the first request for a file keeps it"); return }
        opened.finish(a, with: try Self.open(tree, "a/same"))
        // Neither another directory's file of that name nor another handle on the same
        // directory is handed the descriptor.
        #expect(opened.take(b) == nil)
        #expect(opened.take(aAgain) == nil)
        let file = try #require(opened.take(a))
        defer { close(file.descriptor) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = pread(file.descriptor, &bytes, bytes.count, 0)
        #expect(String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self) == "content of a")
        // Taken once: it is the caller's now.
        #expect(opened.take(a) == nil)
    }

    /// A tree of one file `f`, and the key of that file.
    static func oneFile() throws -> (TreeBuilder, OpenedAhead.Key) {
        let tree = try TreeBuilder()
        tree.file("f", "one file")
        return (tree, OpenedAhead.Key(directory: try directory(tree, "."), name: Array("f".utf8)[...]))
    }

    @Test func aWorkerThatComesFirstLeavesNothingToOpen() throws {
        let (tree, key) = try Self.oneFile()
        defer { tree.remove() }
        let opened = OpenedAhead(limit: 8)
        opened.queued(key)
        #expect(opened.take(key) == nil)
        // The request still queued is skipped: a descriptor kept for it would never be taken.
        guard case .skip = opened.claim(key) else { Issue.record("a file its worker opened is opened ahead again"); return }
    }

    @Test func noMoreThanTheLimitAreKept() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.file("f1", "1")
        tree.file("f2", "2")
        let directory = try Self.directory(tree, ".")
        let first = OpenedAhead.Key(directory: directory, name: Array("f1".utf8)[...])
        let second = OpenedAhead.Key(directory: directory, name: Array("f2".utf8)[...])
        let opened = OpenedAhead(limit: 1)
        opened.queued(first)
        opened.queued(second)
        guard case .keep = opened.claim(first) else { Issue.record("under the limit a file is kept"); return }
        opened.finish(first, with: try Self.open(tree, "f1"))
        guard case .readOnly = opened.claim(second) else { Issue.record("over the limit a file is kept"); return }
        let file = try #require(opened.take(first))
        close(file.descriptor)
    }

    @Test func aWorkerWaitsForTheFileBeingOpenedForIt() throws {
        let (tree, key) = try Self.oneFile()
        defer { tree.remove() }
        let opened = OpenedAhead(limit: 8)
        opened.queued(key)
        guard case .keep = opened.claim(key) else { Issue.record("the first request for a file keeps it"); return }
        let file = try Self.open(tree, "f")
        // The open finishes 50 ms after the worker asks: it waits and gets it.
        let finisher = ThreadHandle { [opened] in
            usleep(50_000)
            opened.finish(key, with: file)
        }
        let taken = opened.take(key)
        finisher.join()
        #expect(taken?.descriptor == file.descriptor)
        close(file.descriptor)
    }
}
