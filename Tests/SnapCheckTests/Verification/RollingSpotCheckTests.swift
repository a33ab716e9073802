import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Rolling spot-checks: a state of proofs carried across runs until every chunk is proven.
struct RollingSpotCheckTests {
    typealias Scenario = VerifierTests.Scenario
    static let day: UInt32 = 86_400
    static let start: UInt32 = 1_800_000_000

    static func run(_ scenario: Scenario, _ state: ProofState?, fraction: Double, now: UInt32, seed: UInt64,
                    manifest: String? = nil, window: UInt32 = 30 * day) throws -> SpotCheck.Result {
        try SpotCheck.run(
            manifest: FilePath(manifest ?? scenario.manifest), target: FilePath(scenario.target.path), sample: .fraction(fraction), seed: seed,
            options: VerifyOptions(metadata: .ignore), rolling: SpotCheck.Rolling(state: state, window: window, now: now))
    }

    @Test func twentyRunsAtFivePercentProveEveryChunk() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var state: ProofState?
        var result: SpotCheck.Result?
        for run in 1...20 {
            let outcome = try Self.run(scenario, state, fraction: 0.05, now: Self.start + UInt32(run) * 3600, seed: UInt64(run))
            let coverage = try #require(outcome.coverage)
            let perRun = Int((Double(outcome.totalChunks) * 0.05).rounded(.up))
            // Each run reads only chunks not proven before, until none are left.
            #expect(coverage.provenChunks == min(outcome.totalChunks, run * perRun), "run \(run)")
            #expect(outcome.verdict == .noDamageFoundInSample || (run * perRun >= outcome.totalChunks && outcome.verdict != .notVerified))
            state = outcome.state
            result = outcome
        }
        let last = try #require(result?.coverage)
        #expect(last.provenChunks == last.totalChunks && last.provenBytes == last.totalBytes)
        #expect(last.runsToFullCoverage == 0)
        #expect(last.oldestProof == Self.start + 3600)
        // A single run still proves only what it read: it is no verification.
        #expect(result?.report.verified == false)
    }

    @Test func proofsSurviveANewManifestOfASlightlyChangedTree() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let full = try Self.run(scenario, nil, fraction: 1, now: Self.start, seed: 1)
        #expect(full.coverage?.provenChunks == full.totalChunks)
        // Change 1% of the data (6,000 bytes of about 600 kB, in place) and record the tree
        // again: only the chunks that hold the change (and the one where the cut points meet
        // again) lose their proofs.
        try scenario.patch("docs/big.bin", at: 150_000, with: [UInt8](repeating: 0x42, count: 6000))
        let manifest = scenario.target.deletingLastPathComponent().appendingPathComponent("changed.manifest").path
        let writer = try ManifestWriter(path: FilePath(manifest), parameters: VerifierTests.parameters)
        try SnapshotBuilder.build(root: FilePath(scenario.target.path), options: SnapshotOptions(chunking: VerifierTests.parameters)) {
            try writer.append($0)
        }
        _ = try writer.finish()
        let next = try Self.run(scenario, full.state, fraction: 0.01, now: Self.start + 60, seed: 2, manifest: manifest)
        let coverage = try #require(next.coverage)
        #expect(next.stateDiscarded == nil)
        // Proofs carried over: all but those of the changed chunks, which this run read first.
        let carried = coverage.provenChunks - next.matchedChunks
        #expect(Double(carried) >= 0.99 * Double(full.coverage!.provenChunks) - 2, "\(coverage)")
        #expect(carried < coverage.totalChunks, "the changed chunks lost their proofs")
        #expect(next.sampledChunks == Int((Double(next.totalChunks) * 0.01).rounded(.up)))
    }

    @Test func proofsExpireAfterTheWindow() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let first = try Self.run(scenario, nil, fraction: 0.5, now: Self.start, seed: 3, window: 7 * Self.day)
        let proven = try #require(first.coverage?.provenChunks)
        #expect(proven > 0)
        #expect(first.coverage?.oldestProofExpires == UInt64(Self.start) + UInt64(7 * Self.day))
        // Within the window the proofs count; one second past it they do not.
        let inside = try Self.run(scenario, first.state, fraction: 0.01, now: Self.start + 7 * Self.day - 1, seed: 4, window: 7 * Self.day)
        #expect(try #require(inside.coverage?.provenChunks) >= proven)
        let outside = try Self.run(scenario, first.state, fraction: 0.01, now: Self.start + 7 * Self.day, seed: 4, window: 7 * Self.day)
        #expect(outside.coverage?.provenChunks == outside.sampledChunks)
    }

    @Test func damageFoundRemovesTheProof() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let full = try Self.run(scenario, nil, fraction: 1, now: Self.start, seed: 5)
        try scenario.patch("docs/other.bin", at: 1000, with: [0x00, 0x01])
        let again = try Self.run(scenario, full.state, fraction: 1, now: Self.start + 10, seed: 6)
        #expect(again.verdict == .notVerified)
        #expect(try #require(again.coverage?.provenChunks) < again.totalChunks)
    }

    @Test func aStateForAnotherTargetOrChunkingStartsAfresh() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let other = ProofState(target: "/somewhere/else", parameters: VerifierTests.parameters)
        let result = try Self.run(scenario, other, fraction: 0.1, now: Self.start, seed: 7)
        #expect(result.stateDiscarded?.contains("/somewhere/else") == true)
        #expect(result.state?.target == FilePath(scenario.target.path))
        let chunking = ProofState(target: FilePath(scenario.target.path), parameters: .default)
        #expect(try Self.run(scenario, chunking, fraction: 0.1, now: Self.start, seed: 7).stateDiscarded?.contains("other chunking") == true)
    }

    @Test func stateFileRoundTripsAndDamageIsRefused() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let result = try Self.run(scenario, nil, fraction: 0.3, now: Self.start, seed: 8)
        let state = try #require(result.state)
        let path = scenario.target.deletingLastPathComponent().appendingPathComponent("spot.state").path
        try state.write(to: FilePath(path))
        let read = try ProofState.read(from: FilePath(path))
        #expect(read.count == state.count && read.target == state.target && read.parameters == state.parameters)
        // 16 bytes a proof, plus a short header and the 32-byte checksum.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size <= state.count * 16 + 32 + 200, "\(size) bytes for \(state.count) proofs")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for damaged in [Array(bytes.prefix(bytes.count - 7)), { var copy = bytes; copy[copy.count / 2] ^= 1; return copy }(), []] {
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect(throws: SnapCheckError.self) { try ProofState.read(from: FilePath(path)) }
            do { _ = try ProofState.read(from: FilePath(path)) } catch { #expect(error.code == .invalidState || damaged.isEmpty) }
        }
        bytes = []
    }

    @Test func windowCoverageByDirectoryAddsUp() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        var options = VerifyOptions(metadata: .ignore)
        options.directoryDepth = 1
        var state: ProofState?
        for run in 0..<3 {
            let result = try SpotCheck.run(
                manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), sample: .fraction(0.2), seed: UInt64(run), options: options,
                rolling: SpotCheck.Rolling(state: state, window: 30 * Self.day, now: Self.start + UInt32(run)))
            let coverage = try #require(result.coverage)
            let windows = result.report.directories.compactMap(\.window)
            #expect(windows.count == result.report.directories.count)
            #expect(windows.reduce(0) { $0 + $1.chunks } == coverage.totalChunks)
            #expect(windows.reduce(0) { $0 + $1.provenChunks } == coverage.provenChunks)
            state = result.state
        }
    }
}
