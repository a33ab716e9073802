import SystemPackage

extension SnapshotBuilder {
    /// Records the tree at `root` in a manifest file, from async code, as
    /// `writeManifest(of:to:options:progress:problem:)` does, on library threads. Cancelling
    /// the calling task stops it promptly with ``SnapCheckError/Code/cancelled``: the
    /// temporary file is removed and an existing file at `path` is left as it was.
    public static func writeManifest(
        of root: FilePath, to path: FilePath, options: SnapshotOptions = SnapshotOptions(),
        progress: (@Sendable (SnapshotProgress) -> Void)? = nil, problem: @escaping @Sendable (SnapCheckError) -> Void = { _ in }
    ) async throws(SnapCheckError) -> ManifestSummary {
        try await BlockingJob.run(options) { (running) throws(SnapCheckError) in
            try writeManifest(of: root, to: path, options: running, progress: progress, problem: problem)
        }
    }
}
