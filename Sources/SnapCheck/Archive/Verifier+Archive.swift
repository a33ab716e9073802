import SystemPackage

extension Verifier {
    /// Verifies the archive file at `archive` (tar, tar.gz, tar.zst, zip, cpio, … told apart by
    /// their bytes) against the manifest at `manifest`, without extracting it: every finding
    /// kind as for a directory, in the order the members come, then the missing entries in
    /// path order. A damaged archive is a finding (the member where reading failed, and every
    /// entry not reached, are unreadable), not an error.
    ///
    /// ```swift
    /// let report = try Verifier.verify(manifest: "finance.manifest.gz", archive: "/mnt/nas/finance.tar.zst")
    /// ```
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path.
    ///   - archive: the archive file (a regular file: a pipe or a tape goes through
    ///     `verify(manifest:archiveDescriptor:layout:options:finding:progress:)`).
    ///   - layout: how member names map to manifest paths (`./` is always dropped).
    ///   - options: what counts, threads, a pinned snapshot id, tallies by directory.
    ///   - finding: receives every finding.
    ///   - progress: called after every member and, inside a large one, every
    ///     ``VerifyOptions/progressInterval``, with the bytes read and the manifest's totals.
    /// - Throws: ``SnapCheckError`` when the manifest is invalid or not the pinned one, or the
    ///   file is not an archive at all (``SnapCheckError/Code/wrongFileType``).
    public static func verify(
        manifest: FilePath, archive: FilePath, layout: ArchiveLayout = ArchiveLayout(), options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in }, progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        let file = try RegularFile.open(archive, followSymlinks: true)
        return try verify(
            manifest: manifest, archive: file.descriptor, label: PathLabel(archive), layout: layout, options: options,
            finding: finding, progress: progress)
    }

    /// Verifies the archive read from `archiveDescriptor` (a pipe such as standard input: `borg
    /// export-tar REPO::A - | …`), as `verify(manifest:archive:layout:options:finding:progress:)`
    /// does. The descriptor is read to the archive's end and stays open.
    public static func verify(
        manifest: FilePath, archiveDescriptor: FileDescriptor, layout: ArchiveLayout = ArchiveLayout(),
        options: VerifyOptions = VerifyOptions(),
        finding: (Finding) -> Void = { _ in }, progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        try verify(
            manifest: manifest, archive: archiveDescriptor.rawValue, label: PathLabel(descriptor: archiveDescriptor), layout: layout,
            options: options, finding: finding, progress: progress)
    }

    /// Verifies the archive file at `archive` against the tree at `source` directly, without a
    /// stored manifest: the source is recorded first (walked and hashed, into a temporary
    /// index, never written as a manifest), then the archive is read once against it, as
    /// `verify(manifest:archive:layout:options:finding:progress:)` does.
    ///
    /// - Parameters:
    ///   - source: the tree the archive was made from.
    ///   - archive: the archive file.
    ///   - layout: how member names map to the source's paths.
    ///   - options: what counts, exclusions (for the source's walk), threads.
    ///   - chunking: the chunking used to record the source.
    ///   - finding: receives every finding.
    ///   - progress: called after every member.
    /// - Throws: ``SnapCheckError`` when the source cannot be walked or the file is not an
    ///   archive.
    public static func compare(
        source: FilePath, archive: FilePath, layout: ArchiveLayout = ArchiveLayout(), options: VerifyOptions = VerifyOptions(),
        chunking: ChunkingParameters = .default,
        finding: (Finding) -> Void = { _ in }, progress: ((VerificationProgress) -> Void)? = nil
    ) throws(SnapCheckError) -> VerificationReport {
        let file = try RegularFile.open(archive, followSymlinks: true)
        return try options.withReservedThreads { (options) throws(SnapCheckError) in
            var snapshot = SnapshotOptions(chunking: chunking, walk: options.walk, threads: options.threads)
            snapshot.cancellation = options.cancellation
            var directories = options.directoryDepth.map { DirectoryTally(depth: $0) }
            let index = try ManifestIndex(parameters: chunking) { (add) throws(SnapCheckError) in
                var totals = ManifestSummary()
                try SnapshotBuilder.build(root: source, options: snapshot) { (entry) throws(SnapCheckError) in
                    totals.add(entry)
                    directories?.expect(entry)
                    try add(entry)
                }
                return totals
            }
            var report = try verify(
                index: index, directories: directories, archive: file.descriptor, label: PathLabel(archive), layout: layout,
                options: options, finding: finding, progress: progress)
            report.snapshotID = nil  // no manifest, no id
            return report
        }
    }

    private static func verify(
        manifest: FilePath, archive descriptor: Int32, label: PathLabel, layout: ArchiveLayout, options: VerifyOptions,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> VerificationReport {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            // The whole manifest is read (and checked) before the archive: members come in any
            // order, so every entry must be findable.
            var directories = options.directoryDepth.map { DirectoryTally(depth: $0) }
            let index = try ManifestIndex(ManifestReader(path: manifest, expectedSnapshot: options.expectedSnapshot), tally: &directories)
            return try verify(
                index: index, directories: directories, archive: descriptor, label: label, layout: layout, options: options,
                finding: finding, progress: progress)
        }
    }

    /// The archive on `descriptor` against the entries of `index` (whose files `directories`
    /// has counted, if tallies are asked for).
    private static func verify(
        index: ManifestIndex, directories: DirectoryTally?, archive descriptor: Int32, label: PathLabel, layout: ArchiveLayout, options: VerifyOptions,
        finding: (Finding) -> Void, progress: ((VerificationProgress) -> Void)?
    ) throws(SnapCheckError) -> VerificationReport {
        let archive = try ArchiveStream.members(descriptor: descriptor, label: label)
        let check = ArchiveCheck(
            index: index, layout: layout, options: options, members: archive, descriptor: descriptor,
            monitor: ReadMonitor(cancellation: options.cancellation), directories: directories)
        defer { check.close() }
        try check.run(label: label, finding: finding, progress: progress ?? { _ in })
        try options.cancellation?.check()
        return check.report
    }
}
