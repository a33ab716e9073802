import SystemPackage

/// What ``SnapshotBuilder/writeManifest(of:to:reusing:options:created:progress:problem:)`` recorded,
/// and what it took from the previous manifest.
public struct ReuseSummary: Sendable, Hashable, Codable {
    /// The new manifest's totals and snapshot id.
    public var manifest: ManifestSummary
    /// Regular files whose entries were taken from the previous manifest without being read.
    public var reusedFiles: Int
    /// Their bytes.
    public var reusedBytes: UInt64
    /// Why the previous manifest was not used at all, when it was not (missing, no side file,
    /// another chunking, rewritten since): every file was then read.
    public var previousNotUsed: String?
}

extension SnapshotBuilder {
    /// Records the tree at `root` in a manifest at `path`, as
    /// `writeManifest(of:to:options:progress:problem:)` does, but takes each regular file
    /// that did not change since the manifest at `previous` was made from it, without reading
    /// it, and writes the side file that the next run needs (`path` + `.stat`).
    ///
    /// A file is taken over when `previous` recorded it whole and its size, modification
    /// time, status change time (ctime), inode and device are all what they were then (the
    /// last three come from the side file `previous` + `.stat`, which this function writes).
    /// A write, truncation, `touch`, `chmod`, rename or restore changes at least one of them.
    /// What none of them shows, such as bit rot on the source disk, is not seen: such a file
    /// keeps its old chunks. When the files really are unchanged, the manifest is identical,
    /// byte for byte, to a full run's (the same `created` time given). `previous` may be
    /// `path` itself: it is read before the new manifest replaces it.
    ///
    /// ```swift
    /// let outcome = try SnapshotBuilder.writeManifest(of: "/srv/finance", to: "finance.manifest.gz",
    ///                                                  reusing: "finance.manifest.gz")
    /// print(outcome.reusedFiles, outcome.manifest.snapshotID)
    /// ```
    ///
    /// - Parameters:
    ///   - root: the tree to record.
    ///   - path: the manifest's file (gzip when it ends in `.gz`), written atomically, and its
    ///     side file `path` + `.stat`.
    ///   - previous: an earlier manifest of the same tree, written by this function (so that
    ///     it has its side file). When it cannot be used, every file is read and
    ///     ``ReuseSummary/previousNotUsed`` says why.
    ///   - options: chunking, exclusions, threads.
    ///   - created: the creation time recorded in the manifest's header (default: now).
    ///   - progress: called with how far the recording has come.
    ///   - problem: called for each entry that could not be read completely.
    /// - Throws: ``SnapCheckError`` as `writeManifest(of:to:options:progress:problem:)`, and
    ///   ``SnapCheckError/Code/invalidManifest`` when `previous` turns out damaged after
    ///   files were taken from it (nothing is then written).
    public static func writeManifest(
        of root: FilePath, to path: FilePath, reusing previous: FilePath, options: SnapshotOptions = SnapshotOptions(),
        created: Int64? = nil, progress: ((SnapshotProgress) -> Void)? = nil, problem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> ReuseSummary {
        // Opened before the new manifest can replace it.
        var notUsed: String?
        var old: PreviousManifest?
        do {
            old = try PreviousManifest(previous, parameters: options.chunking)
        } catch {
            notUsed = error.reason
        }
        let writer = try ManifestWriter(path: path, parameters: options.chunking, source: root, created: created)
        let states = try FileStateFile.Writer(manifest: path)
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            try build(reserved: root, options: options, previous: old, recordsStates: true, keepsChunksCompact: true, progress: progress, problem: problem) {
                (recorded, state) throws(SnapCheckError) in
                try writer.append(recorded)
                if let state { try states.append(state) }
            }
        }
        // Files were taken from it: it must be whole before the new manifest is.
        try old?.finish()
        let summary = try writer.finish()
        try states.finish(manifest: path)
        return ReuseSummary(
            manifest: summary, reusedFiles: old?.reusedFiles ?? 0, reusedBytes: old?.reusedBytes ?? 0, previousNotUsed: notUsed)
    }
}
