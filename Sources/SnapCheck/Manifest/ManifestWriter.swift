import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Writes a manifest (format v1, docs/manifest-format.md) entry by entry, in constant memory.
///
/// Entries must arrive in ``TreeOrder``, as ``SnapshotBuilder`` produces them. A file path
/// ending in `.gz` is written as gzip. Writing to a file is atomic: nothing appears at the path
/// until ``finish()`` succeeds, and an existing file there stays untouched if the run fails.
/// A manifest can also go to any open descriptor (``init(descriptor:compressed:parameters:source:created:)``).
///
/// ```swift
/// let writer = try ManifestWriter(path: "home.manifest.gz", parameters: .default)
/// for entry in entries { try writer.append(entry) }
/// let summary = try writer.finish()
/// print(summary.snapshotID)
/// ```
public final class ManifestWriter {
    private let sink: ByteSink
    private let atomicFile: AtomicFile?
    private let identity = SHA256()
    private var summary = ManifestSummary()
    private var lineBuffer: [UInt8] = []
    private var finished = false

    /// Starts a manifest file at `path`, gzip when the name ends in `.gz`.
    ///
    /// - Parameters:
    ///   - path: the file to write, replaced atomically at ``finish()`` (an existing file there
    ///     stays untouched until then, and for good if the run fails).
    ///   - parameters: the chunking parameters the entries' chunks were made with.
    ///   - source: the tree's location, recorded for people (not part of the snapshot id).
    ///   - created: the creation time, recorded for people (not part of the snapshot id); nil
    ///     for now.
    /// - Throws: ``SnapCheckError`` when the file cannot be created.
    public convenience init(
        path: FilePath, parameters: ChunkingParameters, source: FilePath? = nil, created: Int64? = nil
    ) throws(SnapCheckError) {
        try self.init(path: path, parameters: parameters, source: source, created: created, part: nil)
    }

    /// Starts a manifest file at `path` as `init(path:parameters:source:created:)` does; with
    /// `part`, one part of a manifest recorded in shards (see ``ManifestPart``); with
    /// `createdText`, that creation time as recorded (`YYYY-MM-DDTHH:MM:SSZ`) instead of
    /// `created`.
    convenience init(
        path: FilePath, parameters: ChunkingParameters, source: FilePath?, created: Int64?, part: ManifestPart?,
        createdText: String? = nil
    ) throws(SnapCheckError) {
        let file = try AtomicFile(destination: path)
        let base = DescriptorSink(descriptor: file.descriptor, label: PathLabel(path))
        let compressed = path.extension == "gz"
        try self.init(
            sink: compressed ? GzipSink(writingTo: base) : base, atomicFile: file, parameters: parameters, source: source, created: created,
            part: part, createdText: createdText)
    }

    /// Starts a manifest on an open descriptor (a pipe, standard output, a file the caller
    /// manages), plain or gzip. The descriptor stays open; ``finish()`` writes out everything.
    ///
    /// - Parameters:
    ///   - descriptor: where the manifest goes.
    ///   - compressed: whether to write gzip.
    ///   - parameters: the chunking parameters the entries' chunks were made with.
    ///   - source: the tree's location, recorded for people (not part of the snapshot id).
    ///   - created: the creation time, recorded for people; nil for now.
    /// - Throws: ``SnapCheckError`` when the header cannot be written.
    public convenience init(
        descriptor: FileDescriptor, compressed: Bool = false, parameters: ChunkingParameters, source: FilePath? = nil,
        created: Int64? = nil
    ) throws(SnapCheckError) {
        let base = DescriptorSink(descriptor: descriptor.rawValue, label: PathLabel(descriptor: descriptor))
        try self.init(sink: compressed ? GzipSink(writingTo: base) : base, atomicFile: nil, parameters: parameters, source: source, created: created)
    }

    private init(
        sink: ByteSink, atomicFile: AtomicFile?, parameters: ChunkingParameters, source: FilePath?, created: Int64?,
        part: ManifestPart? = nil, createdText: String? = nil
    ) throws(SnapCheckError) {
        self.sink = sink
        self.atomicFile = atomicFile
        try writeIdentityLine(ManifestFormat.versionLine)
        try writeIdentityLine(ManifestFormat.chunkingLine(parameters))
        try writeIdentityLine(ManifestFormat.hashLine)
        try writeLine("created " + (createdText ?? Timestamp.utc(seconds: created ?? Int64(time(nil)))))
        if let source { try writeLine("source " + PathEscaping.escape(source.bytes)) }
        for line in part?.headerLines ?? [] { try writeLine(line) }
        try writeLine(ManifestFormat.entriesLine)
    }

    /// Appends one entry (and its chunk lines).
    public func append(_ entry: TreeEntry) throws(SnapCheckError) {
        try append(RecordedEntry(entry))
    }

    /// Appends one entry as a run recorded it: its line, then the lines of its chunks, from
    /// the entry or from its ``RecordedEntry/chunkList``; or, for a file taken over unchanged by
    /// `--reuse`, its lines as the previous manifest had them (``RecordedEntry/lines``),
    /// written as they are.
    func append(_ recorded: RecordedEntry) throws(SnapCheckError) {
        lineBuffer.removeAll(keepingCapacity: true)
        if recorded.lines.isEmpty {
            ManifestFormat.entryLine(for: recorded.entry, into: &lineBuffer)
        } else {
            try write(recorded.lines, identity: true)
        }
        // Written a piece at a time: a file of a million chunks is 100 MB of chunk lines.
        func add(_ chunk: Chunk) throws(SnapCheckError) {
            if lineBuffer.count >= 64 << 10 {
                try write(lineBuffer, identity: true)
                lineBuffer.removeAll(keepingCapacity: true)
            }
            ManifestFormat.chunkLine(chunk, into: &lineBuffer)
        }
        for chunk in recorded.entry.chunks { try add(chunk) }
        for chunk in recorded.chunkList { try add(chunk) }
        if !lineBuffer.isEmpty { try write(lineBuffer, identity: true) }
        summary.add(recorded.entry)
        summary.chunks += recorded.chunkList.count + recorded.chunkCount
    }

    /// Writes the trailer and, for a file, moves it into place.
    ///
    /// - Returns: the totals and the snapshot id.
    public func finish() throws(SnapCheckError) -> ManifestSummary {
        precondition(!finished, "finish() called twice")
        finished = true
        summary.snapshotID = identity.finalize()
        try writeLine(ManifestFormat.endLine(summary))
        try writeLine("\(ManifestFormat.snapshotKeyword) \(summary.snapshotID)")
        try sink.finish()
        try atomicFile?.commit()
        return summary
    }

    private func writeIdentityLine(_ text: String) throws(SnapCheckError) {
        try write(Array((text + "\n").utf8), identity: true)
    }

    private func writeLine(_ text: String) throws(SnapCheckError) {
        try write(Array((text + "\n").utf8), identity: false)
    }

    private func write(_ bytes: [UInt8], identity included: Bool) throws(SnapCheckError) {
        if included { identity.update(bytes) }
        try sink.write(bytes)
    }
}
