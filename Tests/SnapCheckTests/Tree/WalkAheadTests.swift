import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// The walk on a thread of its own yields exactly what the walk on the caller's thread does.
struct WalkAheadTests {
    /// Each entry as a walk yields it: path, kind, size, and whether it carries a problem.
    static func entries(_ next: () -> WalkedEntry?) -> [String] {
        var seen: [String] = []
        while let walked = next() {
            seen.append("\(String(decoding: walked.entry.path, as: UTF8.self)) \(walked.entry.kind) \(walked.entry.size) \(walked.problem == nil)")
        }
        return seen
    }

    @Test func aDeepTreeComesOutAsTheWalkerGivesIt() throws {
        let tree = try TreeWalkerDepthTests.chain(depth: 120)
        defer { tree.remove() }
        let direct = Self.entries(try TreeWalker(root: FilePath(tree.root.path)).next)
        let ahead = Self.entries(WalkAhead(try TreeWalker(root: FilePath(tree.root.path))).next)
        #expect(direct.count == 241)
        #expect(ahead == direct)
    }

    @Test func aWideTreeComesOutAsTheWalkerGivesIt() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        // More entries than a batch, in several directories, one of them large.
        for folder in 0..<5 {
            tree.directory("f\(folder)")
            for file in 0..<(folder == 2 ? 700 : 40) { tree.file("f\(folder)/n\(file)", "content \(folder) \(file)") }
        }
        tree.symlink("link", to: "f1/n1")
        let direct = Self.entries(try TreeWalker(root: FilePath(tree.root.path)).next)
        let ahead = Self.entries(WalkAhead(try TreeWalker(root: FilePath(tree.root.path))).next)
        #expect(direct.count == 5 + 860 + 1)
        #expect(ahead == direct)
    }
}

/// Entries are examined when the walk comes to them, not when their directory is listed.
struct TreeWalkerExaminationTests {
    @Test func anEntryGoneOrReplacedSinceTheListingIsNotGuessed() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.file("a", "first")
        tree.file("b", "becomes a directory")
        tree.file("c", "goes away")
        tree.file("d", "stays")
        // The root is listed when the walker is made.
        let walker = try TreeWalker(root: FilePath(tree.root.path))
        try FileManager.default.removeItem(atPath: tree.root.path + "/b")
        try FileManager.default.createDirectory(atPath: tree.root.path + "/b", withIntermediateDirectories: false)
        try FileManager.default.removeItem(atPath: tree.root.path + "/c")
        var seen: [String: WalkedEntry] = [:]
        while let walked = walker.next() { seen[String(decoding: walked.entry.path, as: UTF8.self)] = walked }
        #expect(seen.keys.sorted() == ["a", "b", "d"])
        // b was listed as a file: as a directory it would sort elsewhere ("b/" after "b-x").
        let replaced = try #require(seen["b"])
        #expect(replaced.entry.status == .unreadable && replaced.entry.kind == .file)
        #expect(replaced.problem?.message.contains("replaced while its directory was walked") == true)
        #expect(seen["a"]?.problem == nil && seen["d"]?.entry.size == 5)
    }
}
