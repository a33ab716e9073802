import SystemPackage

/// A previous manifest of the same tree and its side file (``FileStateFile``), read in step
/// with a new walk, so that files that did not change keep their chunks without being read
/// (`manifest --reuse`).
///
/// A file is taken over when the previous manifest recorded it whole (status ok) and its
/// size, modification time, status change time (ctime), inode and device (and mode, which
/// moves with the ctime) are all what they were: any write, truncation, `touch`, `chmod`, rename over it or restore from elsewhere
/// changes one of them. What it cannot see is a change that keeps all five, such as bit rot
/// on the source disk or a tool that resets the clock; `verify` never reuses anything.
///
/// The previous manifest is parsed on a thread of its own, ahead of the walk, and read to its
/// end and validated like any other: when it turns out damaged, ``finish()`` throws, and the
/// new manifest is not written. A file's lines are kept, to be written as they are, its chunks'
/// too unless it has many (more than ``linesUpTo`` expected): those are kept as chunks,
/// held compactly (``ChunkList``: 36 bytes a chunk, where their lines take 77).
final class PreviousManifest {
    /// The previous entries, each regular file with its state (nil once the side file ran
    /// out: the two are then out of step).
    private let entries: ReadAhead<(RecordedEntry, FileState?), Void>
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
        let states: FileStateFile.Reader
        do {
            states = try FileStateFile.Reader(manifest: path)
        } catch {
            throw Unusable(reason: error.reason)
        }
        // The reader and the side file belong to the parsing thread from here on.
        entries = ReadAhead(weight: { $0.0.heldBytes }) { (emit) throws(SnapCheckError) in
            var inStep = true
            var lines: [UInt8] = []
            while let entry = try reader.nextHeader(appendingLineTo: &lines) {
                var recorded = RecordedEntry(entry)
                var state: FileState?
                if entry.kind == .file {
                    let expected = reader.expectedChunkCount(of: entry)
                    if expected <= PreviousManifest.linesUpTo {
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
                lines = []
                do { try emit((recorded, state)) } catch { return }
            }
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
        while current.map({ isBehind($0.recorded.entry) }) == true { try advance() }
        // The mode too (a chmod changes the ctime; unequal, the previous line would be wrong).
        guard let state = current?.state, current?.recorded.entry.path == walked.entry.path,
              current?.recorded.entry.kind == .file, current?.recorded.entry.status == .ok,
              current?.recorded.entry.mode == walked.entry.mode,
              state.pathHash == PathHash.of(walked.entry.path), current?.recorded.entry.size == walked.entry.size,
              current?.recorded.entry.modificationTime == walked.entry.modificationTime, state.changeTime == walked.changeTime,
              state.inode == walked.inode, state.device == walked.device, let reused = current.take()?.recorded else { return nil }
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
            current = try entries.next()
        } catch {
            throw SnapCheckError(
                .invalidManifest, "the previous manifest given to --reuse is damaged (\(error.reason)); record without --reuse",
                at: PathLabel(path))
        }
    }
}
