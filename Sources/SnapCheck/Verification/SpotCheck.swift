import SystemPackage

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
    public enum Sample: Sendable, Hashable, Codable {
        /// A share of the chunks, more than 0 and at most 1 (rounded up to whole chunks).
        case fraction(Double)
        /// A number of chunks, at least 1.
        case chunks(Int)
        /// About this many bytes, at least 1: the number of chunks of the manifest's average
        /// size.
        case bytes(UInt64)

        /// The number of chunks this sample asks of a manifest with `summary`'s totals.
        func chunks(of summary: ManifestSummary) -> Int {
            let total = summary.chunks
            switch self {
            case .fraction(let share):
                return Int((Double(total) * share).rounded(.up))
            case .chunks(let count):
                return count
            case .bytes(let bytes):
                let average = total == 0 ? 1 : max(1, summary.bytes / UInt64(total))
                return Int(clamping: bytes / average + (bytes % average == 0 ? 0 : 1))
            }
        }
    }

    /// What a spot-check may conclude.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Every chunk was read and matched and nothing that counts differs: as strong as a
        /// full verification.
        case verified = "verified"
        /// Nothing that counts was found, but only a sample of the chunks was read: the
        /// unread chunks are not proven. Never a verification.
        case noDamageFoundInSample = "no-damage-found-in-sample"
        /// Something that counts was found: the backup is not proven.
        case notVerified = "not-verified"
    }

    /// What a spot-check found and what it proved.
    public struct Result: Sendable, Hashable, Codable {
        /// Totals and findings, as for a full verification. ``VerificationReport/sampled`` is
        /// true; ``VerificationReport/complete`` and so ``VerificationReport/verified`` are true
        /// only when every chunk was read. Files whose every chunk was chosen and matched count
        /// as intact; others do not.
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
        /// For a rolling spot-check: what is proven within the window after this run.
        public var coverage: Coverage?
        /// For a rolling spot-check: the proofs after this run, to be written for the next.
        public var state: ProofState?
        /// For a rolling spot-check: why the given state was not used (it was made for another
        /// target or another chunking), if it was not; the run then started afresh.
        public var stateDiscarded: String?

        // The state is a handle on proofs in memory (possibly a mapped file), written with
        // `ProofState.write(to:)`: it is neither encoded nor compared.
        private enum CodingKeys: String, CodingKey {
            case report, seed, totalChunks, sampledChunks, sampledBytes, matchedChunks, coverage, stateDiscarded
        }

        /// Equal when everything but ``state`` is.
        public static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.report == rhs.report && lhs.seed == rhs.seed && lhs.totalChunks == rhs.totalChunks
                && lhs.sampledChunks == rhs.sampledChunks && lhs.sampledBytes == rhs.sampledBytes
                && lhs.matchedChunks == rhs.matchedChunks && lhs.coverage == rhs.coverage && lhs.stateDiscarded == rhs.stateDiscarded
        }

        /// Hashes everything but ``state``.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(report)
            hasher.combine(seed)
            hasher.combine(sampledChunks)
            hasher.combine(matchedChunks)
        }

        package init(report: VerificationReport, seed: UInt64, totalChunks: Int, sampledChunks: Int, sampledBytes: UInt64, matchedChunks: Int) {
            self.report = report
            self.seed = seed
            self.totalChunks = totalChunks
            self.sampledChunks = sampledChunks
            self.sampledBytes = sampledBytes
            self.matchedChunks = matchedChunks
        }

        /// What this check may conclude: a sample that did not read every chunk is never
        /// ``Verdict/verified``.
        public var verdict: Verdict {
            if report.hasCountedFindings { return .notVerified }
            return report.verified ? .verified : .noDamageFoundInSample
        }

        /// The chance that this sample would have caught exactly one damaged chunk: the share of
        /// the chunks it read.
        public var singleChunkDetectionProbability: Double {
            totalChunks == 0 ? 1 : Double(sampledChunks) / Double(totalChunks)
        }

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
    /// - Parameters:
    ///   - manifest: the manifest's path.
    ///   - target: the directory to check.
    ///   - sample: how much to read.
    ///   - seed: the sample's seed; nil picks one at random (see ``Result/seed``).
    ///   - options: what counts, exclusions, threads, a pinned snapshot id, cancellation.
    ///   - rolling: proofs of earlier runs: chunks not proven within the window are sampled
    ///     before any others, and ``Result/state`` holds the proofs after this run (the caller
    ///     writes it, see ``ProofState/write(to:)``).
    ///   - finding: receives every finding, in path order.
    ///   - progress: called after batches of entries.
    /// - Throws: ``SnapCheckError`` as `Verifier/verify(manifest:target:options:finding:progress:)`.
    public static func run(
        manifest: FilePath, target: FilePath, sample: Sample = .fraction(0.01), seed: UInt64? = nil,
        options: VerifyOptions = VerifyOptions(), rolling: Rolling? = nil, finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> Result {
        try check(sample)
        // The first read checks the manifest whole (and its pinned id) before the target is
        // touched, and counts its chunks (and, rolling, those not proven within the window).
        let first = try ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot)
        var proofs = rolling.map { ProofLedger($0, target: target, parameters: first.parameters, directoryDepth: options.directoryDepth) }
        var unproven = 0
        while let entry = try first.next() {
            unproven += proofs?.countUnproven(entry) ?? 0
        }
        let summary = first.summary!
        let summaryParameters = first.parameters
        let total = summary.chunks
        let wanted = sample.chunks(of: summary)
        let chosenSeed = seed ?? UInt64.random(in: 0...UInt64.max)
        // Without a state every chunk counts as unproven: one uniform sample of them all.
        if proofs == nil { unproven = total }
        var unprovenPlan = SamplePlan(seed: chosenSeed, total: UInt64(unproven), sample: UInt64(min(wanted, unproven)))
        var provenPlan = SamplePlan(
            seed: chosenSeed ^ 0x5EED_0F_9E0F_5EED, total: UInt64(total - unproven), sample: UInt64(max(0, wanted - unproven)))
        var sampledChunks = 0
        var sampledBytes: UInt64 = 0
        var matched = 0
        // The second read must be the same manifest: the sample's size was fixed by the first.
        let reader = try ManifestReader(path: manifest, expectedSnapshot: summary.snapshotID)
        let walker = try TreeWalker(root: target, options: options.walk)
        var report = try Verifier.verify(
            expected: { () throws(SnapCheckError) -> TreeEntry? in try reader.next() }, parameters: reader.parameters,
            target: walker, options: options, totals: { (summary.files, summary.bytes) },
            sample: { entry, _ in
                let chosen: [Int]
                if proofs != nil {
                    let (open, proven) = proofs!.split(entry)
                    let picked = unprovenPlan.choose(open.count).map { open[$0] } + provenPlan.choose(proven.count).map { proven[$0] }
                    chosen = picked.sorted()
                    proofs!.keepOld(entry, except: chosen)
                } else {
                    chosen = unprovenPlan.choose(entry.chunks.count)
                }
                sampledChunks += chosen.count
                for index in chosen { sampledBytes += UInt64(entry.chunks[index].length) }
                return chosen
            },
            proven: { entry, chunks in
                matched += chunks.count(of: entry)
                proofs?.prove(entry, chunks)
            },
            progress: progress, finding: finding)
        report.snapshotID = reader.summary?.snapshotID
        report.sampled = true
        report.complete = sampledChunks == total
        var result = Result(
            report: report, seed: chosenSeed, totalChunks: total, sampledChunks: sampledChunks,
            sampledBytes: sampledBytes, matchedChunks: matched)
        if let ledger = proofs.take() {
            result.state = try ledger.state(parameters: summaryParameters)
            result.stateDiscarded = ProofLedger.discardReason(rolling?.state, target: target, parameters: summaryParameters)
            result.coverage = ledger.coverage(totalChunks: total, totalBytes: summary.bytes, perRun: wanted)
            result.report.directories = ledger.addingWindowCoverage(to: result.report.directories)
        }
        return result
    }

    /// Refuses a sample that reads nothing: it would prove nothing.
    static func check(_ sample: Sample) throws(SnapCheckError) {
        switch sample {
        case .fraction(let share) where !(share > 0 && share <= 1):
            throw SnapCheckError(.invalidArgument, "the sample must be more than 0% and at most 100%")
        case .chunks(let count) where count < 1:
            throw SnapCheckError(.invalidArgument, "the number of chunks must be at least 1")
        case .bytes(0):
            throw SnapCheckError(.invalidArgument, "the number of bytes must be at least 1")
        default:
            break
        }
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
