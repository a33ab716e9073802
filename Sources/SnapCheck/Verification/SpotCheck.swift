#if canImport(Glibc)
import Glibc
#endif

/// A spot-check: every entry of the target is examined (so missing, extra, type, symlink and
/// size differences are complete), but only a uniform random sample of the chunks is read.
///
/// ```swift
/// let result = try SpotCheck.run(manifest: "finance.manifest.gz", target: "/mnt/backup/finance",
///                                sample: .fraction(0.01), seed: 42) { print($0.kind, $0.displayPath) }
/// print(result.detectionProbability(damagedFraction: 0.001))
/// ```
public enum SpotCheck {
    /// How much to read.
    public enum Sample: Sendable, Equatable {
        /// A share of the chunks, 0 ... 1 (rounded up to whole chunks).
        case fraction(Double)
        /// A number of chunks.
        case chunks(Int)
        /// About this many bytes: the number of chunks of the manifest's average size.
        case bytes(UInt64)
    }

    /// What a spot-check found and what it proved.
    public struct Result: Sendable {
        /// Totals and findings, as for a full verification (but no file counts as proven
        /// intact: ``VerificationReport/intactFiles`` stays 0).
        public var report: VerificationReport
        /// The seed that chose the sample: pass it again to repeat the check exactly.
        public var seed: UInt64
        /// Chunks in the manifest.
        public var totalChunks: Int
        /// Chunks chosen for reading.
        public var sampledChunks: Int
        /// Bytes in the chosen chunks.
        public var sampledBytes: UInt64
        /// Chosen chunks that were read and matched.
        public var matchedChunks: Int

        /// The probability that this sample contains at least one damaged chunk when at least
        /// `damagedFraction` of all chunks are damaged (design in docs/spot-check.md).
        public func detectionProbability(damagedFraction: Double) -> Double {
            SpotCheck.detectionProbability(totalChunks: totalChunks, sampledChunks: sampledChunks, damagedFraction: damagedFraction)
        }
    }

    /// Spot-checks `target` against the manifest at `manifest`.
    ///
    /// The manifest is read twice: once to count its chunks (and check it whole), once merged
    /// with the target. The chosen chunks are read with positioned reads, file by file in
    /// offset order, and nothing else of any file is read.
    ///
    /// - Parameter seed: the sample's seed; nil picks one at random (see ``Result/seed``).
    /// - Throws: ``SnapCheckError`` as ``Verifier/verify(manifest:target:options:finding:progress:)``.
    public static func run(
        manifest: String, target: String, sample: Sample = .fraction(0.01), seed: UInt64? = nil,
        options: VerifyOptions = VerifyOptions(), finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> Result {
        let summary = try ManifestReader(path: manifest).validate()
        let total = summary.chunks
        let wanted: Int
        switch sample {
        case .fraction(let share):
            guard share >= 0 && share <= 1 else { throw SnapCheckError(.invalidArgument, "the sample must be between 0% and 100%") }
            wanted = Int((Double(total) * share).rounded(.up))
        case .chunks(let count):
            guard count >= 0 else { throw SnapCheckError(.invalidArgument, "the number of chunks cannot be negative") }
            wanted = count
        case .bytes(let bytes):
            let average = total == 0 ? 1 : max(1, summary.bytes / UInt64(total))
            wanted = Int((bytes + average - 1) / average)
        }
        let chosenSeed = seed ?? UInt64.random(in: 0...UInt64.max)
        var plan = SamplePlan(seed: chosenSeed, total: UInt64(total), sample: UInt64(max(0, wanted)))
        var sampledChunks = 0
        var sampledBytes: UInt64 = 0
        var matched = 0
        let reader = try ManifestReader(path: manifest)
        let walker = try TreeWalker(root: target, options: options.walk)
        var report = try Verifier.verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in try reader.next() }, parameters: reader.parameters,
            target: walker, options: options,
            sample: { entry in
                let chosen = plan.choose(entry.chunks.count)
                sampledChunks += chosen.count
                for index in chosen { sampledBytes += UInt64(entry.chunks[index].length) }
                return chosen
            },
            sampleOutcome: { matched += $0 },
            progress: progress, finding: finding)
        report.snapshotID = reader.summary?.snapshotID
        return Result(
            report: report, seed: chosenSeed, totalChunks: total, sampledChunks: sampledChunks,
            sampledBytes: sampledBytes, matchedChunks: matched)
    }

    /// The probability that a uniform sample of `sampledChunks` out of `totalChunks`, drawn
    /// without replacement, includes at least one of the damaged chunks, when
    /// ceil(`damagedFraction` × `totalChunks`) chunks (at least one) are damaged.
    ///
    /// 1 − C(N − d, k) / C(N, k) = 1 − ∏ᵢ₌₀..ₖ₋₁ (N − d − i) / (N − i) (hypergeometric), computed
    /// exactly as a sum of logarithms; more damage only raises it, so it is a lower bound for
    /// any damage of at least that fraction.
    public static func detectionProbability(totalChunks: Int, sampledChunks: Int, damagedFraction: Double) -> Double {
        guard totalChunks > 0, sampledChunks > 0 else { return 0 }
        let n = Double(totalChunks)
        let damaged = max(1, min(totalChunks, Int((damagedFraction * n).rounded(.up))))
        let k = min(sampledChunks, totalChunks)
        if k > totalChunks - damaged { return 1 }
        var logMiss = 0.0
        for i in 0..<k {
            logMiss += log1p(-Double(damaged) / (n - Double(i)))
        }
        return -expm1(logMiss)
    }
}
