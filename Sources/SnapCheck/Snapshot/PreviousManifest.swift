import SystemPackage

/// A previous manifest of the same tree and its side file (``FileStateFile``), read in step
/// with a new walk, so that files that did not change keep their chunks without being read
/// (`manifest --reuse`).
///
/// A file is taken over when the previous manifest recorded it whole (status ok) and its
/// size, modification time, status change time (ctime), inode and device (and mode, which
/// moves with the ctime) are all what they were: any write, truncation, `touch`, `chmod`,
/// rename over it or restore from elsewhere changes one of them. What it cannot see is a
/// change that keeps them all, such as bit rot on the source disk or a tool that resets the
/// clock; `verify` never reuses anything.
///
/// The previous manifest is parsed as the walk goes, by the thread that matches and writes (a
/// thread of its own, parsing ahead, took 1.18 x as long on the unchanged small corpus with 2
/// cores: three busy threads for two cores, and the hand-over), and read to its end and
/// validated like any other: when it turns out damaged, ``finish()`` throws, and the new
/// manifest is not written. A file's lines are kept, to be written as they are, its chunks'
/// too unless it has many (more than ``linesUpTo`` expected): those are kept as chunks, held
/// compactly (``ChunkList``: 36 bytes a chunk, where their lines take 77).
final class PreviousManifest {
    private let reader: ManifestReader
    /// The side file's records, one for each regular file, in step with the entries until it
    /// runs out (a file then has no state, and is read).
    private let states: FileStateFile.Reader
    private var inStep = true
    private let path: FilePath
    /// The previous entry at or after the walk's position, with its state when a file.
    private var current: (recorded: RecordedEntry, state: FileState?)?
    private var started = false
    /// Files taken over, and their bytes.
    private(set) var reusedFiles = 0
    private(set) var reusedBytes: UInt64 = 0

    /// Why a previous manifest cannot be used; the run then reads every file.
    struct Unusable: Error {
        var reason: String
    }

    /// Opens the manifest at `path` and its side file, for a run with `parameters`.
    init(_ path: FilePath, parameters: ChunkingParameters) throws(Unusable) {
        self.path = path
        let reader: ManifestReader
        do {
            reader = try ManifestReader(path: path)
        } catch {
            throw Unusable(reason: error.description)
        }
        guard reader.parameters == parameters else {
            throw Unusable(reason: "\(PathLabel(path).display) was made with other chunking parameters")
        }
        self.reader = reader
        do {
            states = try FileStateFile.Reader(manifest: path)
        } catch {
            throw Unusable(reason: error.reason)
        }
    }

    /// Files of up to this many chunks (expected from their size) keep them as lines.
    static let linesUpTo = 8192

    /// The entry reading `walked` would give, when the previous manifest shows it unchanged;
    /// nil when it must be read. Walked entries must come in tree order.
    func reusable(_ walked: WalkedEntry) throws(SnapCheckError) -> RecordedEntry? {
        guard walked.entry.kind == .file, walked.problem == nil else { return nil }
        if !started {
            started = true
            try advance()
        }
        // Read in place, not bound: a binding would copy the entry (its path, its lines).
        func isBehind(_ previous: TreeEntry) -> Bool {
            TreeOrder.compare(previous.path, isDirectory: previous.kind == .directory, walked.entry.path, isDirectory: false) < 0
        }
        /// Whether `previous` is this file as it was, recorded whole. The mode is compared too
        /// (a chmod changes the ctime; unequal, the previous line would be wrong).
        func isUnchanged(_ previous: TreeEntry, _ state: FileState?) -> Bool {
            guard let state else { return false }
            return previous.path == walked.entry.path && previous.kind == .file && previous.status == .ok
                && previous.mode == walked.entry.mode && previous.size == walked.entry.size
                && previous.modificationTime == walked.entry.modificationTime
                && state.pathHash == PathHash.of(walked.entry.path) && state.changeTime == walked.changeTime
                && state.inode == walked.inode && state.device == walked.device
        }
        while current.map({ isBehind($0.recorded.entry) }) == true { try advance() }
        guard current.map({ isUnchanged($0.recorded.entry, $0.state) }) == true, let reused = current.take()?.recorded else {
            return nil
        }
        reusedFiles += 1
        reusedBytes = reusedBytes.saturatingAdd(reused.entry.size)
        try advance()
        return reused
    }

    /// Reads the previous manifest to its end, which validates it whole.
    ///
    /// - Throws: ``SnapCheckError`` when it is damaged: the files taken from it cannot be trusted.
    func finish() throws(SnapCheckError) {
        while current != nil || !started {
            started = true
            try advance()
        }
    }

    private func advance() throws(SnapCheckError) {
        do {
            current = try nextEntry()
        } catch {
            throw SnapCheckError(
                .invalidManifest, "the previous manifest given to --reuse is damaged (\(error.reason)); record without --reuse",
                at: PathLabel(path))
        }
    }

    /// The next previous entry, a regular file with its lines (its chunks' too, or the chunks
    /// held compactly) and its state; nil after the last.
    private func nextEntry() throws(SnapCheckError) -> (recorded: RecordedEntry, state: FileState?)? {
        var lines: [UInt8] = []
        guard let entry = try reader.nextHeader(appendingLineTo: &lines) else { return nil }
        var recorded = RecordedEntry(entry)
        var state: FileState?
        if entry.kind == .file {
            let expected = reader.expectedChunkCount(of: entry)
            if expected <= Self.linesUpTo {
                lines.reserveCapacity(lines.count + expected * 80)
                recorded.chunkCount = try reader.nextChunkLines(appendingTo: &lines)
            } else {
                recorded.chunkList.reserveCapacity(expected)
                while let chunk = try reader.nextChunk() { recorded.chunkList.append(chunk) }
            }
            recorded.lines = lines  // only a file can be taken over
            if inStep {
                state = states.next()
                inStep = state != nil
            }
        }
        return (recorded, state)
    }
}
