import SystemPackage

/// Records an archive's members as manifest entries, in tree order, without extracting it.
///
/// Each file member's data is streamed once through FastCDC and SHA-256 (on every core); the
/// entries are put in tree order by an ``EntrySorter`` (bounded memory, spilled runs). Hard
/// links get the content of the member they link to (in cpio, the data of a link set comes
/// with its last member and is given to all its names). For a pax archive of a tree the
/// manifest is the tree's own, snapshot id included; formats that keep whole seconds record
/// whole seconds.
enum ArchiveRecorder {
    /// Writes the manifest of the archive on `members` to `writer`.
    ///
    /// - Throws: ``SnapCheckError`` when the archive is damaged (a manifest of part of an
    ///   archive is refused) or the manifest cannot be written.
    static func record(
        _ members: ArchiveMembers, layout: ArchiveLayout, parameters: ChunkingParameters, threads: Int,
        cancellation: Cancellation?, problem: (SnapCheckError) -> Void, into writer: ManifestWriter
    ) throws(SnapCheckError) {
        let chunker = StreamingChunker(parameters: parameters)
        let helpers = members.hashHelpers(threads: threads)
        defer { helpers?.shutDown() }
        let monitor = ReadMonitor(cancellation: cancellation)
        let sorter = EntrySorter()
        // Names whose content is another name's: (path, the path whose content it has).
        var links: [(path: [UInt8], source: [UInt8])] = []
        do {
            while let member = try members.next() {
                try monitor.willRead()
                let path: [UInt8]
                switch layout.map(member.name) {
                case .root:
                    continue
                case .outside:
                    problem(SnapCheckError(.invalidArgument, "left out: the name is outside the layout", at: PathLabel(bytes: member.name)))
                    continue
                case .path(let mapped):
                    path = mapped
                }
                var entry = TreeEntry(
                    path: path, kind: member.kind, mode: member.mode, modificationTime: member.modificationTime ?? FileTime(seconds: 0))
                switch member.kind {
                case .symlink:
                    let target = member.symlinkTarget ?? []
                    entry.symlinkTarget = target
                    entry.size = UInt64(target.count)
                case .file where member.hardlinkTarget != nil && member.size == 0:
                    // tar: the content is the linked member's.
                    if let name = member.hardlinkTarget, case .path(let source) = layout.map(name) { links.append((path, source)) }
                case .file where member.dataComesLater:
                    break  // cpio: filled in from the link set's last member, below
                case .file:
                    var chunks: [Chunk] = []
                    entry.size = try chunker.chunk(
                        reading: { (target: UnsafeMutableRawBufferPointer) throws -> Int in try members.read(into: target, monitor: monitor) },
                        helpers: helpers, while: { chunk in
                            chunks.append(chunk)
                            return true
                        })
                    entry.chunks = chunks
                    // cpio: this member brings the data of the names it links to.
                    if let target = member.hardlinkTarget, case .path(let other) = layout.map(target) { links.append((other, path)) }
                default:
                    break
                }
                try sorter.add(entry)
            }
        } catch let error as SnapCheckError {
            throw error
        } catch let damage as ArchiveReader.Damage {
            throw SnapCheckError(
                .invalidArgument, "the archive is damaged at byte \(damage.offset) (\(damage.message)); no manifest written")
        } catch {
            throw SnapCheckError(.io, "\(error)")
        }
        // Hard links: first find the content of every name another one links to, then write.
        var contents: [[UInt8]: (size: UInt64, chunks: [Chunk])] = [:]
        if !links.isEmpty {
            let wanted = Set(links.map(\.source))
            try sorter.forEachSorted { (entry) throws(SnapCheckError) in
                if wanted.contains(entry.path) { contents[entry.path] = (entry.size, entry.chunks) }
            }
        }
        let sourceOf = Dictionary(links.map { ($0.path, $0.source) }) { _, last in last }
        try sorter.forEachSorted { (entry) throws(SnapCheckError) in
            var entry = entry
            if let source = sourceOf[entry.path], let content = contents[source] {
                (entry.size, entry.chunks) = content
            }
            try writer.append(entry)
        }
    }
}
