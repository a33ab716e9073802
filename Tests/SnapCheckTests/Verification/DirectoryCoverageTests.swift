import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Coverage by directory: every entry counted once, the groups adding up to the totals.
struct DirectoryCoverageTests {
    typealias Scenario = VerifierTests.Scenario

    @Test(arguments: [1, 2, 3])
    func directoriesAddUpToTheReport(depth: Int) throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/big.bin", at: 5000, with: [1])
        try FileManager.default.removeItem(atPath: scenario.path("finance/2025/q3.csv"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: scenario.path("docs/new.txt")))
        var options = VerifyOptions(metadata: .ignore)
        options.directoryDepth = depth
        var findings: [Finding] = []
        let report = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options) { findings.append($0) }
        let groups = report.directories
        #expect(groups.reduce(0) { $0 + $1.expectedFiles } == report.expectedFiles)
        #expect(groups.reduce(0) { $0 + $1.expectedBytes } == report.expectedBytes)
        #expect(groups.reduce(0) { $0 + $1.intactFiles } == report.intactFiles)
        #expect(groups.reduce(0) { $0 + $1.intactBytes } == report.intactBytes)
        #expect(groups.reduce(0) { $0 + $1.findings.values.reduce(0, +) } == findings.count)
        #expect(groups.map(\.path) == groups.map(\.path).sorted { $0.lexicographicallyPrecedes($1) })
        let byPath = Dictionary(uniqueKeysWithValues: groups.map { ($0.displayPath, $0) })
        if depth == 1 {
            #expect(byPath["docs/"]?.findings == [.content: 1, .extra: 1])
            #expect(byPath["finance/"]?.findings == [.missing: 1])
            #expect(byPath["finance/"]?.expectedFiles == 5 && byPath["finance/"]?.intactFiles == 4)
        } else {
            #expect(byPath["finance/2025/"]?.findings == [.missing: 1])
        }
        // Top-level files (readme, swap-a, …) are the top level's.
        #expect(try #require(byPath["./"]).expectedFiles >= 3)
    }

    @Test func noDepthNoDirectories() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let report = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: VerifyOptions(metadata: .ignore))
        #expect(report.directories.isEmpty)
    }
}
