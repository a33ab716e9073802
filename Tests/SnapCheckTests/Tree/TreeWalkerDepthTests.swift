import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// The walk of a tree deeper than the directories it keeps open.
struct TreeWalkerDepthTests {
    /// A chain of `depth` directories `d`, each also holding a file `z` (sorted after `d`, so
    /// it is reached on the way back up).
    static func chain(depth: Int) throws -> TreeBuilder {
        let tree = try TreeBuilder()
        var path = ""
        for _ in 0..<depth {
            path += path.isEmpty ? "d" : "/d"
            tree.directory(path)
        }
        var parent = ""
        for level in 0...depth {
            tree.file(parent.isEmpty ? "z" : parent + "/z", "level \(level)")
            parent += parent.isEmpty ? "d" : "/d"
        }
        return tree
    }

    @Test func aDeepTreeIsWalkedWholeWithFewDirectoriesOpen() throws {
        let depth = 150
        let tree = try Self.chain(depth: depth)
        defer { tree.remove() }
        let walker = try TreeWalker(root: FilePath(tree.root.path))
        #expect(walker.openLevels <= 32)
        var paths: [[UInt8]] = []
        var problems = 0
        while let walked = walker.next() {
            paths.append(walked.entry.path)
            if walked.problem != nil { problems += 1 }
        }
        // Every directory and every file, in tree order, none unreadable.
        #expect(paths.count == 2 * depth + 1 && problems == 0)
        #expect(paths.last == Array("z".utf8))
        let entries = try tree.entries()
        #expect(entries.count == 2 * depth + 1 && entries.allSatisfy { $0.status == .ok })
    }

    @Test func aDirectoryMovedWhileTheWalkIsBelowItIsReportedNotGuessed() throws {
        let tree = try Self.chain(depth: 60)
        defer { tree.remove() }
        let elsewhere = try TestSupport.temporaryDirectory()
        defer { _ = try? TestSupport.run("/bin/rm", ["-rf", elsewhere.path]) }
        let walker = try TreeWalker(root: FilePath(tree.root.path))
        let deepest = Array(repeating: "d", count: 60).joined(separator: "/")
        var seen: [String: SnapCheckError?] = [:]
        while let walked = walker.next() {
            let path = String(decoding: walked.entry.path, as: UTF8.self)
            seen[path] = walked.problem
            if path == deepest {
                // The walk is at the bottom: the directory at level 10 (no longer open) loses
                // its child, moved out of the tree, so the way back up through `..` leads
                // elsewhere.
                let level10 = Array(repeating: "d", count: 10).joined(separator: "/")
                try FileManager.default.moveItem(
                    atPath: tree.root.path + "/" + level10 + "/d", toPath: elsewhere.path + "/moved")
            }
        }
        let level10File = Array(repeating: "d", count: 10).joined(separator: "/") + "/z"
        // The file of level 10 is not read through a directory that may not be its own.
        let problem = try #require(seen[level10File] ?? nil)
        #expect(problem.message.contains("cannot open directory again"))
        // Files of the levels still open were found as usual.
        #expect(seen[deepest + "/z"] == .some(nil))
    }
}
