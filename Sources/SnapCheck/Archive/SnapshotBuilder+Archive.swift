import SystemPackage

extension SnapshotBuilder {
    /// Records the archive file at `archive` (tar, zip, cpio, … in any compression libarchive
    /// reads) in a manifest file, without extracting it. For a pax archive of a tree (pax keeps
    /// nanosecond times) the manifest, snapshot id included, is the one the tree itself gives;
    /// ustar, GNU tar, zip and cpio keep whole seconds, and so does the manifest.
    ///
    /// - Parameters:
    ///   - archive: the archive file.
    ///   - path: the manifest to write (gzip when it ends in `.gz`), atomically.
    ///   - layout: how member names map to manifest paths.
    ///   - options: chunking and threads (exclusions do not apply to archives).
    ///   - problem: called for each member left out (a name outside the layout).
    /// - Returns: the manifest's totals and snapshot id.
    /// - Throws: ``SnapCheckError`` when the file is not an archive, is damaged (no manifest of
    ///   part of an archive is written), or the manifest cannot be written.
    public static func writeManifest(
        ofArchive archive: FilePath, to path: FilePath, layout: ArchiveLayout = ArchiveLayout(),
        options: SnapshotOptions = SnapshotOptions(), problem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> ManifestSummary {
        let file = try RegularFile.open(archive, followSymlinks: true)
        return try writeManifest(
            ofArchive: file.descriptor, label: PathLabel(archive), source: archive, to: path, layout: layout, options: options,
            problem: problem)
    }

    /// Records the archive read from `archiveDescriptor` (a pipe such as standard input), as
    /// `writeManifest(ofArchive:to:layout:options:problem:)` does.
    public static func writeManifest(
        ofArchiveDescriptor archiveDescriptor: FileDescriptor, to path: FilePath, layout: ArchiveLayout = ArchiveLayout(),
        options: SnapshotOptions = SnapshotOptions(), problem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> ManifestSummary {
        try writeManifest(
            ofArchive: archiveDescriptor.rawValue, label: PathLabel(descriptor: archiveDescriptor), source: nil, to: path, layout: layout,
            options: options, problem: problem)
    }

    private static func writeManifest(
        ofArchive descriptor: Int32, label: PathLabel, source: FilePath?, to path: FilePath, layout: ArchiveLayout,
        options: SnapshotOptions, problem: (SnapCheckError) -> Void
    ) throws(SnapCheckError) -> ManifestSummary {
        try options.withReservedThreads { (options) throws(SnapCheckError) in
            let members = try ArchiveStream.members(descriptor: descriptor, label: label)
            let writer = try ManifestWriter(path: path, parameters: options.chunking, source: source)
            try ArchiveRecorder.record(
                members, layout: layout, parameters: options.chunking, threads: options.threads,
                cancellation: options.cancellation, problem: problem, into: writer)
            return try writer.finish()
        }
    }
}
