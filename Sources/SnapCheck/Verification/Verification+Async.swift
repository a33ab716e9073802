import SystemPackage

extension Verifier {
    /// Verifies `target` against the manifest at `manifest`, from async code.
    ///
    /// The same as `verify(manifest:target:options:finding:progress:)`, but the reading and
    /// hashing run on threads of the library's own (never on Swift's cooperative pool), and
    /// cancelling the calling task stops the work promptly (between entries, and between reads
    /// inside a large file) with ``SnapCheckError/Code/cancelled``.
    ///
    /// ```swift
    /// let report = try await Verifier.verify(manifest: "finance.manifest.gz", target: "/restore/finance")
    /// ```
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path.
    ///   - target: the directory to verify.
    ///   - options: what counts, exclusions, threads, a pinned snapshot id.
    ///   - finding: receives every finding, in path order, on a library thread.
    ///   - progress: called on a library thread after batches of entries.
    public static func verify(
        manifest: FilePath, target: FilePath, options: VerifyOptions = VerifyOptions(),
        finding: @escaping @Sendable (Finding) -> Void = { _ in },
        progress: (@Sendable (VerificationProgress) -> Void)? = nil
    ) async throws(SnapCheckError) -> VerificationReport {
        try await BlockingJob.run(options) { (running) throws(SnapCheckError) in
            try verify(manifest: manifest, target: target, options: running, finding: finding, progress: progress)
        }
    }

    /// Verifies `target` against `source` directly, from async code, as
    /// `verify(manifest:target:options:finding:progress:)` does (library threads,
    /// cancellation).
    public static func compare(
        source: FilePath, target: FilePath, options: VerifyOptions = VerifyOptions(), chunking: ChunkingParameters = .default,
        finding: @escaping @Sendable (Finding) -> Void = { _ in },
        progress: (@Sendable (VerificationProgress) -> Void)? = nil
    ) async throws(SnapCheckError) -> VerificationReport {
        try await BlockingJob.run(options) { (running) throws(SnapCheckError) in
            try compare(source: source, target: target, options: running, chunking: chunking, finding: finding, progress: progress)
        }
    }
}

extension SpotCheck {
    /// Spot-checks `target` from async code, as `run(manifest:target:sample:seed:options:rolling:finding:progress:)`
    /// does, on library threads; cancelling the calling task stops it promptly with
    /// ``SnapCheckError/Code/cancelled``.
    public static func run(
        manifest: FilePath, target: FilePath, sample: Sample = .fraction(0.01), seed: UInt64? = nil,
        options: VerifyOptions = VerifyOptions(), rolling: Rolling? = nil,
        finding: @escaping @Sendable (Finding) -> Void = { _ in },
        progress: (@Sendable (VerificationProgress) -> Void)? = nil
    ) async throws(SnapCheckError) -> Result {
        try await BlockingJob.run(options) { (running) throws(SnapCheckError) in
            try run(manifest: manifest, target: target, sample: sample, seed: seed, options: running, rolling: rolling,
                    finding: finding, progress: progress)
        }
    }
}

extension ManifestDiff {
    /// Compares two manifests from async code, as `compare(old:new:expectedOld:expectedNew:cancellation:change:)`
    /// does, on a library thread; cancelling the calling task stops it with
    /// ``SnapCheckError/Code/cancelled``.
    public static func compare(
        old: FilePath, new: FilePath, expectedOld: Digest? = nil, expectedNew: Digest? = nil,
        change: @escaping @Sendable (Change) -> Void
    ) async throws(SnapCheckError) -> Summary {
        let cancellation = Cancellation()
        return try await BlockingJob.run(cancellation) { () throws(SnapCheckError) in
            try compare(old: old, new: new, expectedOld: expectedOld, expectedNew: expectedNew, cancellation: cancellation, change: change)
        }
    }
}
