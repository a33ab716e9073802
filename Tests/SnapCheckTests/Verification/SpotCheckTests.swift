import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

struct SpotCheckTests {
    typealias Scenario = VerifierTests.Scenario

    static func run(_ scenario: Scenario, _ sample: SpotCheck.Sample, seed: UInt64) throws -> (SpotCheck.Result, [Finding]) {
        var findings: [Finding] = []
        let result = try SpotCheck.run(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), sample: sample, seed: seed,
                                       options: VerifyOptions(metadata: .ignore)) { findings.append($0) }
        return (result, findings)
    }

    @Test func probabilityMatchesTheHypergeometricFormula() {
        // One damaged chunk in 100, 10 read: caught with probability 10/100.
        #expect(abs(SpotCheck.detectionProbability(totalChunks: 100, sampledChunks: 10, damagedFraction: 0.01) - 0.1) < 1e-12)
        // Second path: C(N-d, k) / C(N, k) = C(N-k, d) / C(N, d), a product over d terms instead of k.
        for (n, k, d) in [(1000, 100, 10), (21_004, 210, 21), (5000, 4000, 3), (777, 1, 7)] {
            var miss = 1.0
            for j in 0..<d { miss *= Double(n - k - j) / Double(n - j) }
            let fraction = Double(d) / Double(n)
            #expect(abs(SpotCheck.detectionProbability(totalChunks: n, sampledChunks: k, damagedFraction: fraction) - (1 - miss)) < 1e-9)
        }
        #expect(SpotCheck.detectionProbability(totalChunks: 10, sampledChunks: 10, damagedFraction: 0.1) == 1)
        #expect(SpotCheck.detectionProbability(totalChunks: 10, sampledChunks: 0, damagedFraction: 0.5) == 0)
    }

    @Test func samplePlanIsUniformAndExact() {
        // Exactly k chosen, in order, and every position about equally often.
        var hits = [Int](repeating: 0, count: 50)
        for seed in 0..<4000 {
            var plan = SamplePlan(seed: UInt64(seed), total: 50, sample: 5)
            var chosen: [Int] = []
            for file in 0..<10 { chosen += plan.choose(5).map { $0 + file * 5 } }
            #expect(chosen.count == 5)
            #expect(chosen == chosen.sorted())
            for index in chosen { hits[index] += 1 }
        }
        // Expected 400 each; the standard deviation is about 19: allow 5 of them.
        #expect(hits.allSatisfy { abs($0 - 400) < 95 }, "\(hits)")
    }

    @Test func seededRunIsRepeatableAndSeedsDiffer() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var big = scenario.original("docs/big.bin")
        for offset in stride(from: 0, to: big.count, by: 9000) { big[offset] ^= 0xFF }
        try scenario.rewrite("docs/big.bin", big)
        let (first, firstFindings) = try Self.run(scenario, .fraction(0.2), seed: 7)
        let (again, againFindings) = try Self.run(scenario, .fraction(0.2), seed: 7)
        #expect(firstFindings == againFindings)
        #expect(first.sampledChunks == again.sampledChunks && first.sampledBytes == again.sampledBytes)
        #expect(first.seed == 7)
        let (_, otherFindings) = try Self.run(scenario, .fraction(0.2), seed: 8)
        #expect(otherFindings != firstFindings)
        #expect(firstFindings.allSatisfy { $0.sampled })
    }

    @Test func fullSampleFindsWhatVerifyFinds() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/other.bin", at: 77_777, with: [0])
        try scenario.rewrite("docs/big.bin", Array(scenario.original("docs/big.bin").prefix(123_456)))
        try FileManager.default.removeItem(atPath: scenario.path("readme"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: scenario.path("extra.txt")))
        try FileManager.default.removeItem(atPath: scenario.path("current"))
        try FileManager.default.createSymbolicLink(atPath: scenario.path("current"), withDestinationPath: "docs")
        let (_, verifyFindings) = try scenario.verify(VerifyOptions(metadata: .ignore))
        let (result, spotFindings) = try Self.run(scenario, .fraction(1), seed: 1)
        #expect(result.sampledChunks == result.totalChunks)
        #expect(spotFindings.map { "\($0.kind) \($0.displayPath)" } == verifyFindings.map { "\($0.kind) \($0.displayPath)" })
        #expect(try #require(spotFindings.first { $0.displayPath == "docs/big.bin" }).sizeChange == 123_456 - 300_000)
        // Even a tiny sample reports what stat alone can see: sizes, missing, extra, type, symlink.
        let (_, small) = try Self.run(scenario, .chunks(1), seed: 3)
        let kinds = Set(small.map { "\($0.kind) \($0.displayPath)" })
        #expect(kinds.isSuperset(of: ["missing readme", "extra extra.txt", "symlink current", "content docs/big.bin"]))
    }

    @Test func detectionRateMatchesTheStatedProbability() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        // Damage 5 of the big file's chunks (one byte in each).
        let reader = try ManifestReader(path: FilePath(scenario.manifest))
        var chunks: [Chunk] = []
        while let entry = try reader.next() {
            if entry.displayPath == "docs/big.bin" { chunks = entry.chunks }
        }
        var big = scenario.original("docs/big.bin")
        for index in [3, 17, 29, 41, 50] { big[Int(chunks[index].offset) + 1] ^= 0x01 }
        try scenario.rewrite("docs/big.bin", big)
        var caught = 0
        var stated = 0.0
        let runs = 200
        for seed in 0..<runs {
            let (result, findings) = try Self.run(scenario, .chunks(12), seed: UInt64(seed))
            if findings.contains(where: { $0.kind == .content }) { caught += 1 }
            stated = SpotCheck.detectionProbability(totalChunks: result.totalChunks, sampledChunks: result.sampledChunks,
                                                     damagedFraction: 5 / Double(result.totalChunks))
        }
        let rate = Double(caught) / Double(runs)
        let sigma = (stated * (1 - stated) / Double(runs)).squareRoot()
        #expect(abs(rate - stated) <= 4 * sigma, "caught \(caught) of \(runs), stated \(stated)")
    }
}
