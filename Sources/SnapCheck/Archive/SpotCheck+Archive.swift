import SystemPackage

extension SpotCheck {
    /// Spot-checks the archive file at `archive` against the manifest at `manifest`, without
    /// extracting it: every member's header is examined (so missing, extra, type, symlink,
    /// size and metadata findings are complete), and only a uniform random sample of the
    /// chunks is read.
    ///
    /// The archive must allow reading a member without reading all before it: an uncompressed
    /// tar (a chosen chunk is read where it lies, members are sought past) or a zip (members
    /// are sought past; a chosen chunk is read through its member's compression, from the
    /// member's start). An archive compressed as a whole (tar.gz, tar.zst, …) is refused: any
    /// chunk of it costs decompressing everything before it, as much as a full verification.
    /// The chunks are chosen as members come (a file's on the first member with its path), so
    /// the same seed, manifest and archive choose the same chunks.
    ///
    /// ```swift
    /// let result = try SpotCheck.run(manifest: "finance.manifest.gz", archive: "/mnt/tape/finance.tar",
    ///                                sample: .fraction(0.01))
    /// print(result.verdict)
    /// ```
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path.
    ///   - archive: the archive file.
    ///   - layout: how member names map to manifest paths (`./` is always dropped).
    ///   - sample: how much to read.
    ///   - seed: the sample's seed; nil picks one at random (see ``Result/seed``).
    ///   - options: what counts, threads, a pinned snapshot id, cancellation.
    ///   - finding: receives every finding, in member order, then the missing entries.
    ///   - progress: called after every member, with the bytes read.
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` when the archive is compressed as a
    ///   whole; otherwise as `Verifier/verify(manifest:archive:layout:options:finding:progress:)`.
    public static func run(
        manifest: FilePath, archive: FilePath, layout: ArchiveLayout = ArchiveLayout(), sample: Sample = .fraction(0.01),
        seed: UInt64? = nil, options: VerifyOptions = VerifyOptions(), finding: (Finding) -> Void = { _ in },
        progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> Result {
        try check(sample)
        let file = try RegularFile.open(archive, followSymlinks: true)
        let label = PathLabel(archive)
        return try options.withReservedThreads { (options) throws(SnapCheckError) -> Result in
            // The whole manifest is read (and checked) before the archive: members come in any
            // order, so every entry must be findable; its totals size the sample.
            var directories = options.directoryDepth.map { DirectoryTally(depth: $0) }
            let index = try ManifestIndex(ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot), tally: &directories)
            let reader = try ArchiveReader(descriptor: file.descriptor, label: label)
            if let compression = reader.compression {
                throw SnapCheckError(
                    .invalidArgument,
                    "a spot-check needs an archive it can read at any place, and this one is \(compression)-compressed as a whole: "
                        + "verify it in full (snapcheck verify), or spot-check an uncompressed tar or a zip", at: label)
            }
            let total = index.summary.chunks
            let chosenSeed = seed ?? UInt64.random(in: 0...UInt64.max)
            let plan = SamplePlan(seed: chosenSeed, total: UInt64(total), sample: UInt64(sample.chunks(of: index.summary)))
            let check = ArchiveCheck(
                index: index, layout: layout, options: options, members: reader, descriptor: file.descriptor,
                monitor: ReadMonitor(cancellation: options.cancellation), directories: directories,
                sampling: ArchiveCheck.Sampling(plan: plan))
            defer { check.close() }
            try check.run(label: label, finding: finding, progress: progress ?? { _ in })
            try options.cancellation?.check()
            let sampling = check.sampling!  // given above
            var report = check.report
            report.sampled = true
            report.complete = sampling.sampledChunks == total
            return Result(
                report: report, seed: chosenSeed, totalChunks: total, sampledChunks: sampling.sampledChunks,
                sampledBytes: sampling.sampledBytes, matchedChunks: sampling.matchedChunks)
        }
    }
}
