import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// The proofs of a rolling state: new proofs of any number merged in order from runs on disk,
/// and a written state read back exactly.
struct ProofStateTests {
    static func proofs(count: Int, seed: UInt64) -> [ProofState.Proof] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            ProofState.Proof(fingerprint: .init(high: generator.next(), low: UInt32(truncatingIfNeeded: generator.next())),
                             time: UInt32(truncatingIfNeeded: generator.next()))
        }
    }

    @Test func freshProofsComeBackSortedAcrossSpilledRuns() throws {
        // Three runs of 65,536 on file and one in memory.
        let input = Self.proofs(count: 3 * 65_536 + 1234, seed: 1)
        let fresh = FreshProofs()
        for proof in input { try fresh.append(proof) }
        fresh.finish()
        var output: [ProofState.Proof] = []
        try fresh.forEach { output.append($0) }
        #expect(output.count == input.count && fresh.count == input.count)
        #expect(output.map(\.fingerprint) == input.map(\.fingerprint).sorted())
        #expect(Set(output.map(\.time)) == Set(input.map(\.time)))
    }

    @Test func aMergedStateWritesKeptAndNewProofsInOrder() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let parameters = VerifierTests.parameters
        // An earlier state on file.
        let earlierProofs = Self.proofs(count: 5000, seed: 2).sorted { $0.fingerprint < $1.fingerprint }
        let fresh = FreshProofs()
        for proof in earlierProofs { try fresh.append(proof) }
        fresh.finish()
        let earlier = ProofState(target: "/t", parameters: parameters, storage: .merged(previous: ProofRecords(), kept: Bitmap(size: 0), fresh: fresh))
        let first = directory.appendingPathComponent("first.state").path
        try earlier.write(to: FilePath(first))
        let read = try ProofState.read(from: FilePath(first))
        #expect(read.count == 5000)
        // Keep every third earlier proof, add 70,000 new ones (one spilled run and more).
        let records = try #require(read.records)
        var kept = Bitmap(size: records.count)
        for index in stride(from: 0, to: records.count, by: 3) { kept.set(index) }
        let added = Self.proofs(count: 70_000, seed: 3)
        let newer = FreshProofs()
        for proof in added { try newer.append(proof) }
        newer.finish()
        let merged = ProofState(target: "/t", parameters: parameters, storage: .merged(previous: records, kept: kept, fresh: newer))
        #expect(merged.count == kept.count + 70_000)
        let second = directory.appendingPathComponent("second.state").path
        try merged.write(to: FilePath(second))
        let again = try ProofState.read(from: FilePath(second))
        var fingerprints: [ProofState.Fingerprint] = []
        try again.forEach { fingerprints.append($0.fingerprint) }
        let expected = (stride(from: 0, to: earlierProofs.count, by: 3).map { earlierProofs[$0].fingerprint } + added.map(\.fingerprint)).sorted()
        #expect(fingerprints == expected)
        let size = try FileManager.default.attributesOfItem(atPath: second)[.size] as! Int
        #expect(size == expected.count * 16 + 32 + "snapcheck-state v1\ntarget /t\nchunking \(parameters)\nproofs \(expected.count)\n".utf8.count)
    }
}
