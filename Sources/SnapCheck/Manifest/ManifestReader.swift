import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Reads a manifest (format v1, plain or gzip) entry by entry, in constant memory, validating
/// as it goes.
///
/// The header is read and checked when the reader is created. ``next()`` then returns the
/// entries in order and, after the last one, checks the trailer: the counts, and the snapshot
/// id recomputed from the lines actually read. Anything wrong (a truncated, reordered or edited
/// manifest, a path that is absolute or holds an empty, `.` or `..` component, a file that is not
/// a manifest at all) throws a ``SnapCheckError`` with code
/// ``SnapCheckError/Code/invalidManifest`` whose message names the line number and the
/// problem. A consumer must treat entries as provisional until ``next()`` has returned nil.
///
/// ```swift
/// let reader = try ManifestReader(path: "home.manifest.gz")
/// while let entry = try reader.next() {
///     print(entry.displayPath, entry.size)
/// }
/// print(reader.summary!.snapshotID)
/// ```
public final class ManifestReader {
    /// The chunking parameters the manifest's chunks were made with.
    public let parameters: ChunkingParameters
    /// When the manifest was created (`YYYY-MM-DDTHH:MM:SSZ`), as recorded.
    public private(set) var created: String?
    /// The recorded location of the tree, if any.
    public private(set) var source: FilePath?
    /// The validated totals and snapshot id; nil until ``next()`` has returned nil.
    public private(set) var summary: ManifestSummary?
    /// For one part of a manifest recorded in shards, which part (read only by
    /// ``init(part:)``); nil for a whole manifest.
    public private(set) var part: ManifestPart?

    private let lines: LineReader
    private let path: PathLabel
    private let identity = SHA256()
    private let expectedSnapshot: Digest?
    private var counted = ManifestSummary()
    private var pending: ArraySlice<UInt8>?
    /// The file whose chunk lines come next, while they are being read.
    private var chunkLines: ChunkLines?
    /// Where ``nextHeader(appendingLineTo:)`` and ``nextChunkLines(appendingTo:)`` collect
    /// the lines, while they do.
    private var copiedLines: [UInt8] = []
    private var copiesLines = false
    private var previous: (path: [UInt8], isDirectory: Bool)?
    /// The directories above the current entry, each a prefix of the next: kept as the
    /// deepest one's path and the lengths of all, so a tree 10,000 levels deep costs 10,000
    /// numbers here, not 10,000 paths (200 MB of them).
    private var ancestorPath: [UInt8] = []
    private var ancestorLengths: [Int] = []
    /// Non-directory paths that a later directory of the same name could repeat.
    private var collisionCandidates: [[UInt8]] = []
    private var keepOpen: AnyObject?

    /// Opens the manifest file at `path` and reads its header.
    ///
    /// - Parameters:
    ///   - path: the manifest file (plain or gzip, told apart by its first bytes).
    ///   - expectedSnapshot: the snapshot id the manifest must have; the check at the end then
    ///     also refuses a manifest that is intact but not this one (one that was rewritten and
    ///     sealed again).
    /// - Throws: ``SnapCheckError``: ``SnapCheckError/Code/io`` when it cannot be opened,
    ///   ``SnapCheckError/Code/invalidManifest`` when the header is wrong.
    public convenience init(path: FilePath, expectedSnapshot: Digest? = nil) throws(SnapCheckError) {
        let file = try RegularFile.open(path, followSymlinks: true)
        try self.init(reading: dup(file.descriptor), owned: true, label: PathLabel(path), expectedSnapshot: expectedSnapshot)
    }

    /// Opens one part of a manifest recorded in shards (`manifest --shard K/N`), for
    /// ``ManifestMerge``; a whole manifest is read as well (``part`` is then nil).
    ///
    /// - Throws: ``SnapCheckError`` as ``init(path:expectedSnapshot:)`` does.
    public convenience init(part path: FilePath) throws(SnapCheckError) {
        let file = try RegularFile.open(path, followSymlinks: true)
        try self.init(reading: dup(file.descriptor), owned: true, label: PathLabel(path), expectedSnapshot: nil, acceptsPart: true)
    }

    /// Reads a manifest from an open descriptor (a pipe, standard input, a file the caller
    /// opened) from its current position; the descriptor stays open.
    ///
    /// - Parameters:
    ///   - descriptor: where the manifest comes from (plain or gzip).
    ///   - expectedSnapshot: the snapshot id the manifest must have.
    /// - Throws: ``SnapCheckError`` as ``init(path:expectedSnapshot:)`` does.
    public convenience init(descriptor: FileDescriptor, expectedSnapshot: Digest? = nil) throws(SnapCheckError) {
        try self.init(reading: descriptor.rawValue, owned: false, label: PathLabel(descriptor: descriptor), expectedSnapshot: expectedSnapshot)
    }

    private init(
        reading descriptor: Int32, owned: Bool, label path: PathLabel, expectedSnapshot: Digest?, acceptsPart: Bool = false
    ) throws(SnapCheckError) {
        self.path = path
        self.expectedSnapshot = expectedSnapshot
        let raw = DescriptorSource(descriptor: descriptor, label: path)
        let peeked = PeekingSource(raw, closing: owned ? descriptor : nil)
        keepOpen = peeked
        let isGzip = try peeked.startsWith([0x1F, 0x8B])
        lines = LineReader(source: isGzip ? GzipSource(readingFrom: peeked) : peeked,
                           maximumLength: ManifestFormat.maximumLineLength)
        let first = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        guard first == ManifestFormat.versionLine else {
            if first.hasPrefix("snapcheck-manifest ") {
                throw SnapCheckError(.invalidManifest, "unsupported manifest version \(Self.quoted(first.dropFirst(19))) (this snapcheck reads v1)", at: path)
            }
            throw SnapCheckError(.invalidManifest, "not a snapcheck manifest (line 1 does not say \"\(ManifestFormat.versionLine)\")", at: path)
        }
        identity.update(Array((first + "\n").utf8))
        // The header's lines come in a fixed order, each at most once: chunking, hash, then
        // optionally created and source, then entries.
        let chunking = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        guard chunking.hasPrefix("chunking ") else {
            throw Self.invalid("expected the \"chunking\" line, found \(Self.quoted(chunking))", lines.lineNumber, path)
        }
        parameters = try Self.parseChunking(String(chunking.dropFirst(9)), line: lines.lineNumber, path: path)
        identity.update(Array((chunking + "\n").utf8))
        let hash = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        guard hash == ManifestFormat.hashLine else {
            throw Self.invalid("expected \"\(ManifestFormat.hashLine)\", found \(Self.quoted(hash))", lines.lineNumber, path)
        }
        identity.update(Array((hash + "\n").utf8))
        var text = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        if text.hasPrefix("created ") {
            let value = String(text.dropFirst(8))
            guard Self.isCreationTime(value) else {
                throw Self.invalid("malformed creation time \(Self.quoted(value))", lines.lineNumber, path)
            }
            created = value
            text = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        }
        if text.hasPrefix("source ") {
            let value = String(text.dropFirst(7))
            guard PathEscaping.unescape(value.utf8) != nil else {
                throw Self.invalid("badly escaped source path", lines.lineNumber, path)
            }
            source = PathEscaping.unescape(value.utf8).map { FilePath(bytes: $0) }
            text = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
        }
        if text.hasPrefix("part ") {
            guard let shard = try? Shard(parsing: String(text.dropFirst(5))) else {
                throw Self.invalid("malformed part line \(Self.quoted(text))", lines.lineNumber, path)
            }
            guard acceptsPart else {
                throw SnapCheckError(
                    .invalidManifest, "is part \(shard) of a manifest recorded in shards: merge the parts first (snapcheck merge PART... -o MANIFEST)",
                    at: path)
            }
            var part = ManifestPart(shard: shard, from: nil, to: nil)
            text = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
            for (keyword, bound) in [("part-from ", \ManifestPart.from), ("part-to ", \ManifestPart.to)] where text.hasPrefix(keyword) {
                guard let point = ShardPoint(text: text.dropFirst(keyword.count)), point.chunk == 0 || point.isAfterEntry else {
                    throw Self.invalid("malformed part range \(Self.quoted(text))", lines.lineNumber, path)
                }
                part[keyPath: bound] = point
                text = try Self.header(Self.readLine(lines, path), path: path, lines: lines)
            }
            self.part = part
            // The directories above the part's first entry are recorded in earlier parts.
            if let from = part.from {
                ancestorPath = from.path
                for index in from.path.indices where from.path[index] == 0x2F { ancestorLengths.append(index - from.path.startIndex) }
                if from.isDirectory && from.isAfterEntry { ancestorLengths.append(from.path.count) }
            }
        }
        guard text == ManifestFormat.entriesLine else {
            throw Self.invalid("unexpected header line \(Self.quoted(text))", lines.lineNumber, path)
        }
    }

    /// The next entry, or nil after the last one once the trailer has been checked.
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidManifest`` for any
    ///   inconsistency, naming the line.
    public func next() throws(SnapCheckError) -> TreeEntry? {
        guard var entry = try nextHeader() else { return nil }
        if entry.kind == .file && entry.status != .unreadable { entry.chunks.reserveCapacity(expectedChunkCount(of: entry)) }
        while let chunk = try nextChunk() { entry.chunks.append(chunk) }
        return entry
    }

    /// About as many chunks as the file `entry` will have, to size a list of them once
    /// (growing a list by doubling would hold up to three times its size at once), but not
    /// more than a million on the word of the manifest alone, which may be damaged.
    package func expectedChunkCount(of entry: TreeEntry) -> Int {
        Int(min(entry.size / UInt64(parameters.avgSize) + 1, 1 << 20))
    }

    /// The next entry without its chunks, or nil after the last one once the trailer has been
    /// checked: a file's chunks then come one at a time from ``nextChunk()``, for a reader that
    /// need not hold a whole chunk list (a file of a million chunks has 48 MB of them). Chunks
    /// not taken are read, and checked, by the next call.
    package func nextHeader() throws(SnapCheckError) -> TreeEntry? {
        while try nextChunk() != nil {}
        guard summary == nil else { return nil }
        let line: ArraySlice<UInt8>
        if let waiting = pending.take() {
            line = waiting
        } else if let read = try nextLine() {
            line = read
        } else {
            throw invalid("truncated: the manifest ends before its \"end\" line")
        }
        if line.starts(with: "end ".utf8) || line.elementsEqual("end".utf8) {
            try finishTrailer(line)
            return nil
        }
        hashIdentity(line)
        let entry = try parseEntry(line)
        copyIfAsked(line)
        counted.add(entry)
        guard counted.bytes <= UInt64(Int64.max) else {
            throw invalid("the files' sizes add up to more than 2^63 - 1 bytes")
        }
        if entry.kind == .file { chunkLines = ChunkLines(entry) }
        return entry
    }

    /// The next chunk of the file ``nextHeader()`` returned last, or nil after its last one,
    /// once the chunks' lengths have been checked against the file's size.
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidManifest``, as
    ///   ``next()`` does.
    package func nextChunk() throws(SnapCheckError) -> Chunk? {
        guard var file = chunkLines else { return nil }
        guard let line = try nextLine() else {
            throw invalid("truncated: the manifest ends before its \"end\" line")
        }
        guard line.first == UInt8(ascii: "+") else {
            pending = line
            chunkLines = nil
            if !file.unreadable && file.total != file.size {
                throw invalid("chunks of \"\(PathEscaping.escape(file.path))\" add up to \(file.total) bytes, not its size \(file.size)",
                              line: lines.lineNumber - 1)
            }
            return nil
        }
        hashIdentity(line)
        guard !file.unreadable else { throw invalid("chunk line for a file recorded as unreadable") }
        let chunk = try parseChunk(line, offset: file.total)
        copyIfAsked(line)
        file.total += UInt64(chunk.length)
        chunkLines = file
        counted.chunks += 1
        return chunk
    }

    /// The next entry without its chunks, and the identity of its content
    /// (``TreeEntry/contentIdentity``), its chunks read, checked and let go one at a time: for a
    /// reader that needs no more of them, in memory that does not grow with a file's chunks.
    package func nextWithContentIdentity() throws(SnapCheckError) -> (entry: TreeEntry, contentIdentity: Digest)? {
        guard let entry = try nextHeader() else { return nil }
        var identity = ContentIdentity()
        while let chunk = try nextChunk() { identity.add(chunk.digest) }
        return (entry, identity.finish())
    }

    /// The next entry, as ``nextHeader()`` gives it, with its line (and newline) appended to
    /// `lines` exactly as the manifest has it: for a writer that passes an entry on unchanged
    /// (`manifest --reuse`) without spelling it out again. The reader takes only canonical
    /// lines, so the line is the one a writer would make of the entry.
    package func nextHeader(appendingLineTo lines: inout [UInt8]) throws(SnapCheckError) -> TreeEntry? {
        while try nextChunk() != nil {}  // the chunks of the entry before: not copied
        return try copyingLines(into: &lines) { () throws(SnapCheckError) in try nextHeader() }
    }

    /// The chunks of the file ``nextHeader()`` returned last, as their lines appended to
    /// `lines`, as ``nextHeader(appendingLineTo:)`` appends its line, and checked as
    /// ``nextChunk()`` checks them.
    ///
    /// - Returns: how many chunks there were.
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidManifest``, as
    ///   ``next()`` does.
    package func nextChunkLines(appendingTo lines: inout [UInt8]) throws(SnapCheckError) -> Int {
        try copyingLines(into: &lines) { () throws(SnapCheckError) in
            var count = 0
            while try nextChunk() != nil { count += 1 }
            return count
        }
    }

    /// Appends `line` and its newline to the copied lines, while ``copyingLines(into:_:)`` asks.
    private func copyIfAsked(_ line: ArraySlice<UInt8>) {
        guard copiesLines else { return }
        copiedLines.append(contentsOf: line)
        copiedLines.append(0x0A)
    }

    /// Runs `body` with the lines it reads appended to `lines`.
    private func copyingLines<R>(into lines: inout [UInt8], _ body: () throws(SnapCheckError) -> R) throws(SnapCheckError) -> R {
        swap(&copiedLines, &lines)
        copiesLines = true
        defer {
            copiesLines = false
            swap(&copiedLines, &lines)
        }
        return try body()
    }

    /// Reads the rest of the manifest without parsing its entries: the fast way to learn its
    /// snapshot id and totals. The id is recomputed from the lines and checked against the
    /// `snapshot` line (and `expectedSnapshot`); the totals are the trailer's, in their
    /// canonical form but not checked against the entries, which are not parsed (``next()``
    /// checks them).
    ///
    /// - Throws: ``SnapCheckError/Code/invalidManifest`` for a missing, malformed or
    ///   mismatched trailer; ``SnapCheckError/Code/unexpectedSnapshot`` as for ``next()``.
    public func identityAndTotals() throws(SnapCheckError) -> ManifestSummary {
        chunkLines = nil  // the lines are hashed, not parsed, from here on
        var waiting = pending.take()
        while true {
            if waiting == nil { waiting = try nextLine() }
            guard let line = waiting.take() else { break }
            guard line.starts(with: "end ".utf8) else {
                hashIdentity(line)
                continue
            }
            var totals = ManifestSummary()
            for field in line.dropFirst(4).split(separator: UInt8(ascii: " ")) {
                let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1)
                guard parts.count == 2, let value = Self.decimal(parts[1]) else { throw invalid("malformed trailer") }
                switch String(decoding: parts[0], as: UTF8.self) {
                case "files": totals.files = Int(value)
                case "directories": totals.directories = Int(value)
                case "symlinks": totals.symlinks = Int(value)
                case "special": totals.special = Int(value)
                case "bytes": totals.bytes = UInt64(value)
                case "chunks": totals.chunks = Int(value)
                case "unreadable": totals.unreadable = Int(value)
                case "changed": totals.changed = Int(value)
                default: throw invalid("malformed trailer")
                }
            }
            guard line.elementsEqual(ManifestFormat.endLine(totals).utf8) else { throw invalid("malformed trailer") }
            counted = totals
            try finishTrailer(line)
            return counted  // with the id, now checked
        }
        throw invalid("truncated: the manifest ends before its \"end\" line")
    }

    /// Reads the whole manifest, checking everything, and returns its totals and id.
    public func validate() throws(SnapCheckError) -> ManifestSummary {
        while try next() != nil {}
        return summary!
    }

    // MARK: - Lines

    /// Adds a line and its newline to the snapshot id.
    private func hashIdentity(_ line: ArraySlice<UInt8>) {
        line.withUnsafeBytes { identity.update($0) }
        withUnsafeBytes(of: UInt8(0x0A)) { identity.update($0) }
    }

    private func nextLine() throws(SnapCheckError) -> ArraySlice<UInt8>? {
        try Self.readLine(lines, path)
    }

    private static func readLine(_ lines: LineReader, _ path: PathLabel) throws(SnapCheckError) -> ArraySlice<UInt8>? {
        do {
            return try lines.next()
        } catch {
            switch error {
            case .tooLong: throw invalid("line longer than \(ManifestFormat.maximumLineLength) bytes", lines.lineNumber, path)
            case .noFinalNewline: throw invalid("truncated: the last line has no newline", lines.lineNumber, path)
            case .input(let failure):
                if failure.code == .invalidManifest { throw invalid(failure.message, lines.lineNumber, path) }
                throw failure
            }
        }
    }

    private static func header(_ line: ArraySlice<UInt8>?, path: PathLabel, lines: LineReader) throws(SnapCheckError) -> String {
        guard let line else {
            if lines.lineNumber == 0 { throw SnapCheckError(.invalidManifest, "empty file: not a snapcheck manifest", at: path) }
            throw invalid("truncated: the manifest ends inside its header", lines.lineNumber + 1, path)
        }
        guard let text = String(validating: line, as: UTF8.self) else {
            if lines.lineNumber == 1 { throw SnapCheckError(.invalidManifest, "not a snapcheck manifest (line 1 is not text)", at: path) }
            throw invalid("header line is not UTF-8", lines.lineNumber, path)
        }
        return text
    }

    private static func parseChunking(_ value: String, line: Int, path: PathLabel) throws(SnapCheckError) -> ChunkingParameters {
        let fields = value.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "fastcdc-2020" else {
            throw invalid("unsupported chunking \(quoted(value))", line, path)
        }
        var numbers: [Int] = []
        for (field, key) in zip(fields.dropFirst(), ["min=", "avg=", "max=", "level="]) {
            guard field.hasPrefix(key), let number = decimal(ArraySlice(field.dropFirst(key.count).utf8)).flatMap({ Int(exactly: $0) }) else {
                throw invalid("malformed chunking parameters \(quoted(value))", line, path)
            }
            numbers.append(number)
        }
        do {
            return try ChunkingParameters(minSize: numbers[0], avgSize: numbers[1], maxSize: numbers[2], level: numbers[3])
        } catch {
            throw invalid(error.message, line, path)
        }
    }

    // MARK: - Entries

    private func parseEntry(_ line: ArraySlice<UInt8>) throws(SnapCheckError) -> TreeEntry {
        var fields = TabFields(line)
        guard let kind = fields.next().flatMap(ManifestFormat.kind(named:)), let pathField = fields.next(),
              let modeField = fields.next(), let timeField = fields.next(), let sizeField = fields.next(),
              let statusField = fields.next() else {
            throw invalid("not an entry line")
        }
        let word = ManifestFormat.word(for: kind)
        let targetField = fields.next()
        guard (targetField != nil) == (kind == .symlink), fields.next() == nil else {
            throw invalid("wrong number of fields for a \(word) entry")
        }
        guard let path = PathEscaping.unescape(pathField) else { throw invalid("badly escaped path") }
        try checkPath(path)
        guard let mode = Self.octalMode(modeField) else { throw invalid("malformed mode") }
        guard let nanoseconds = Self.wideDecimal(timeField), let time = FileTime(totalNanoseconds: nanoseconds) else {
            throw invalid("malformed modification time")
        }
        guard let size = Self.decimal(sizeField) else { throw invalid("malformed size") }
        guard let status = ManifestFormat.status(named: statusField) else { throw invalid("unknown status") }
        switch (kind, status) {
        case (_, .ok), (.file, _), (.directory, .unreadable), (.symlink, .unreadable): break
        default: throw invalid("status \(status.rawValue) is not possible for a \(word)")
        }
        var entry = TreeEntry(path: path, kind: kind, mode: mode, modificationTime: time, size: UInt64(size), status: status)
        if let targetField {
            guard let target = PathEscaping.unescape(targetField) else { throw invalid("badly escaped symlink target") }
            guard UInt64(target.count) == entry.size else { throw invalid("symlink size does not match its target") }
            entry.symlinkTarget = target
        } else if kind != .file && size != 0 {
            throw invalid("a \(word) has size 0")
        }
        let isDirectory = kind == .directory
        if let previous, TreeOrder.compare(previous.path, isDirectory: previous.isDirectory, path, isDirectory: isDirectory) >= 0 {
            throw invalid("entries out of order: \"\(entry.displayPath)\" after \"\(PathEscaping.escape(previous.path))\"")
        }
        previous = (path, isDirectory)
        try checkNameIsUnique(path, isDirectory: isDirectory)
        // Its parent must be the nearest directory above it: recorded, and still open.
        let parentLength = path.lastIndex(of: 0x2F) ?? 0
        func isParent(_ length: Int) -> Bool {
            length == parentLength && path.starts(with: ancestorPath.prefix(length))
        }
        while let last = ancestorLengths.last, !isParent(last) { ancestorLengths.removeLast() }
        guard parentLength == 0 || ancestorLengths.last.map(isParent) == true else {
            throw invalid("\"\(entry.displayPath)\" has no directory entry for its parent")
        }
        if isDirectory {
            // Its parent is the last ancestor, a prefix of it: the chain holds.
            ancestorPath = path
            ancestorLengths.append(path.count)
        }
        return entry
    }

    /// Refuses a directory whose path was already recorded as another kind.
    ///
    /// Tree order puts a directory `a` (compared as `a/`) after a file `a`, and between them
    /// only names that continue `a` with a byte below `/` (and what lies under them), so the
    /// earlier non-directories that could still collide form a chain of prefixes.
    private func checkNameIsUnique(_ path: [UInt8], isDirectory: Bool) throws(SnapCheckError) {
        while let last = collisionCandidates.last {
            if path.count > last.count, path[last.count] < 0x2F, path.starts(with: last) { break }
            if isDirectory && path == last {
                throw invalid("\"\(PathEscaping.escape(path))\" is recorded both as a directory and as another kind")
            }
            collisionCandidates.removeLast()
        }
        if !isDirectory { collisionCandidates.append(path) }
    }

    private func checkPath(_ path: [UInt8]) throws(SnapCheckError) {
        guard !path.isEmpty else { throw invalid("empty path") }
        guard path.first != 0x2F else { throw invalid("absolute path \"\(PathEscaping.escape(path))\"") }
        // Each component, between slashes: not empty, not "." and not "..".
        var start = 0
        while start <= path.count {
            let end = path[start...].firstIndex(of: 0x2F) ?? path.count
            let component = path[start..<end]
            if component.isEmpty || (component.count <= 2 && component.allSatisfy { $0 == 0x2E }) {
                throw invalid("path \"\(PathEscaping.escape(path))\" has an empty, \".\" or \"..\" component")
            }
            start = end + 1
        }
    }

    /// `+ TAB LENGTH TAB SHA256`: the digest is the last 64 bytes, so the line is taken apart
    /// by position rather than split (chunk lines are half of a manifest).
    private func parseChunk(_ line: ArraySlice<UInt8>, offset: UInt64) throws(SnapCheckError) -> Chunk {
        let start = line.startIndex
        guard line.count >= 68, line[start] == UInt8(ascii: "+"), line[start + 1] == 0x09,
              line[line.endIndex - 65] == 0x09 else {
            throw invalid("malformed chunk line")
        }
        guard let length = Self.decimal(line[(start + 2)..<(line.endIndex - 65)]),
              length >= 1, length <= parameters.maxSize else {
            throw invalid("chunk length out of range 1...\(parameters.maxSize)")
        }
        guard let digest = Digest(lowercaseHex: line[(line.endIndex - 64)...]) else {
            throw invalid("malformed chunk digest")
        }
        return Chunk(offset: offset, length: Int(length), digest: digest)
    }

    private func finishTrailer(_ line: ArraySlice<UInt8>) throws(SnapCheckError) {
        let id = identity.finalize()
        counted.snapshotID = id
        guard line.elementsEqual(ManifestFormat.endLine(counted).utf8) else {
            throw invalid("the trailer's counts do not match the entries (expected \"\(ManifestFormat.endLine(counted))\")")
        }
        guard let last = try nextLine() else { throw invalid("truncated: no snapshot line after \"end\"") }
        let expected = "\(ManifestFormat.snapshotKeyword) \(id)"
        guard last.elementsEqual(expected.utf8) else {
            if last.starts(with: (ManifestFormat.snapshotKeyword + " ").utf8) {
                throw invalid("snapshot id does not match the entries: the manifest was edited or damaged (entries hash to \(id))")
            }
            throw invalid("expected the snapshot line")
        }
        if try nextLine() != nil { throw invalid("data after the snapshot line") }
        if let expectedSnapshot, expectedSnapshot != id {
            throw SnapCheckError(.unexpectedSnapshot, "snapshot \(id) is not the expected \(expectedSnapshot)", at: path)
        }
        summary = counted
    }

    // MARK: - Fields

    private static func octalMode(_ field: ArraySlice<UInt8>) -> UInt32? {
        guard field.count == 4 else { return nil }
        var value: UInt32 = 0
        for digit in field {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { return nil }
            value = value << 3 | UInt32(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// A canonical unsigned decimal (no sign, no leading zeros) up to 2^63 − 1.
    private static func decimal(_ field: ArraySlice<UInt8>) -> Int64? {
        guard !field.isEmpty, field.count <= 19, field.first != UInt8(ascii: "0") || field.count == 1 else { return nil }
        var value: Int64 = 0
        for digit in field {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// A canonical decimal of any width up to 39 digits (modification times in nanoseconds
    /// need more than 64 bits).
    private static func wideDecimal(_ field: ArraySlice<UInt8>) -> Int128? {
        var digits = field[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 39, digits.first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        // Up to 18 digits fit in 64 bits without a check: every time between 1938 and 2001,
        // and the 19-digit ones of today cost one 128-bit step at the end.
        var small: UInt64 = 0
        for digit in digits.prefix(18) {
            let value = digit &- UInt8(ascii: "0")
            guard value < 10 else { return nil }
            small = small &* 10 &+ UInt64(value)
        }
        if digits.count <= 18 {
            if negative && small == 0 { return nil }  // "-0" is not canonical
            return negative ? -Int128(small) : Int128(small)
        }
        var value = Int128(small)
        digits = digits.dropFirst(18)
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int128(digit - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        if negative && value == 0 { return nil }
        return negative ? -value : value
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, digits where the pattern has them.
    private static func isCreationTime(_ text: String) -> Bool {
        let pattern = Array("dddd-dd-ddTdd:dd:ddZ".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { byte, expected in
            expected == UInt8(ascii: "d") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == expected
        }
    }

    /// Header text for an error message: escaped (a manifest must not put control bytes on a
    /// terminal), at most 60 bytes of it, in quotes.
    private static func quoted(_ text: some StringProtocol) -> String {
        let bytes = Array(text.utf8)
        let shown = PathEscaping.escape(Array(bytes.prefix(60)))
        return "\"" + shown + (bytes.count > 60 ? "…" : "") + "\""
    }

    private func invalid(_ message: String, line: Int? = nil) -> SnapCheckError {
        Self.invalid(message, line ?? lines.lineNumber, path)
    }

    private static func invalid(_ message: String, _ line: Int, _ path: PathLabel) -> SnapCheckError {
        var error = SnapCheckError(.invalidManifest, "line \(line): \(message)", at: path)
        error.line = line
        return error
    }

    /// The tab-separated fields of a line, one at a time (as `split` would give them, empty
    /// ones included, but without an array of them: this runs once an entry).
    private struct TabFields {
        private var rest: ArraySlice<UInt8>?

        init(_ line: ArraySlice<UInt8>) { rest = line }

        mutating func next() -> ArraySlice<UInt8>? {
            guard let line = rest else { return nil }
            guard let tab = line.firstIndex(of: 0x09) else {
                rest = nil
                return line
            }
            rest = line[(tab + 1)...]
            return line[..<tab]
        }
    }

    /// A file whose chunk lines are being read: what they must add up to.
    private struct ChunkLines {
        let path: [UInt8]
        let size: UInt64
        let unreadable: Bool
        var total: UInt64 = 0

        init(_ entry: TreeEntry) {
            path = entry.path
            size = entry.size
            unreadable = entry.status == .unreadable
        }
    }
}

/// Lets the reader look at the first bytes (gzip or not) without losing them, and closes the
/// descriptor it reads when it goes away.
private final class PeekingSource: ByteSource {
    private let source: ByteSource
    private var peeked: [UInt8] = []
    private let descriptor: Int32?

    init(_ source: ByteSource, closing descriptor: Int32?) {
        self.source = source
        self.descriptor = descriptor
    }

    deinit { if let descriptor { close(descriptor) } }

    func startsWith(_ prefix: [UInt8]) throws(SnapCheckError) -> Bool {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: prefix.count, alignment: 1)
        defer { scratch.deallocate() }
        while peeked.count < prefix.count {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(prefix.count - peeked.count)]))
            if count == 0 { break }
            peeked += scratch[0..<count]
        }
        return peeked == prefix
    }

    func read(into target: UnsafeMutableRawBufferPointer) throws(SnapCheckError) -> Int {
        if !peeked.isEmpty {
            let count = min(peeked.count, target.count)
            peeked.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            peeked.removeFirst(count)
            return count
        }
        return try source.read(into: target)
    }
}
