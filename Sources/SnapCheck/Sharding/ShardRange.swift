import SystemPackage

/// The part of a manifest that one shard checks: the steps from ``start`` up to ``end``, cut so
/// that every shard has about the same bytes to read.
///
/// Every shard works the cut out from the manifest alone (``plan(manifest:shard:expectedSnapshot:splitsFiles:)``),
/// so N machines given the same manifest agree on it without talking to each other. The
/// manifest's entries, in tree order, weigh their size plus ``entryWeight`` each (opening and
/// examining a file costs about what reading a few KiB does); the cuts fall where the running
/// weight crosses each N-th of the total. A file of at least an eighth of a shard's share may
/// be cut inside, between two chunks: each shard then reads its own chunks of it.
///
/// A step belongs to the shard whose range holds it: the manifest's entries, and the target's
/// extras, by their place in tree order. A shard also reads a little before its start: the
/// entries that a directory of the same name might pair with (a file `a` that became a
/// directory `a`), so that such a pair is reported once, by the shard holding the directory,
/// exactly as a single run would report it.
public struct ShardRange: Sendable, Hashable {
    /// The shard.
    public let shard: Shard
    /// Where the range starts (nil: at the beginning).
    public let start: ShardPoint?
    /// Where the next shard starts (nil: at the end).
    public internal(set) var end: ShardPoint?
    /// The manifest's snapshot id, read to its end while planning (nil for a range planned
    /// from a walk).
    public let snapshotID: Digest?
    /// The bytes of the chunks in this range: what the shard reads when nothing differs.
    public internal(set) var bytes: UInt64
    /// Whether the range holds no step at all (more shards than the manifest has entries).
    public let isEmpty: Bool
    /// The non-directory entries just before ``start`` that a directory at or after it could
    /// pair with (see ``lookback(target:)``), from the manifest.
    private(set) var manifestCandidates: [[UInt8]]

    /// The weight of an entry besides its bytes.
    public static let entryWeight: UInt64 = 4096

    /// Works out `shard`'s range of the manifest at `manifest`, reading it twice (once, without
    /// parsing entries, for the id and the totals; once up to the range's end, for the cuts).
    ///
    /// - Parameters:
    ///   - manifest: the manifest's path (plain or gzip).
    ///   - shard: which shard.
    ///   - expectedSnapshot: the snapshot id the manifest must have, if one is pinned.
    ///   - splitsFiles: whether a cut may fall inside a large file (for a verification; not for
    ///     recording a manifest, whose chunks start at the start of a file).
    /// - Throws: ``SnapCheckError`` when the manifest is unreadable or invalid;
    ///   ``SnapCheckError/Code/unexpectedSnapshot`` when it is not `expectedSnapshot`.
    public static func plan(
        manifest: FilePath, shard: Shard, expectedSnapshot: Digest? = nil, splitsFiles: Bool = true
    ) throws(SnapCheckError) -> ShardRange {
        // The totals and the id from a first read that hashes lines without parsing them.
        let totals = try ManifestReader(path: manifest, expectedSnapshot: expectedSnapshot).identityAndTotals()
        let reader = try ManifestReader(path: manifest)
        let range = try plan(Planner(totals: totals, shard: shard, splitsFiles: splitsFiles)) { (visit) throws(SnapCheckError) in
            while let entry = try reader.next() {
                if visit(entry) { return }
            }
        }
        return ShardRange(
            shard: shard, start: range.start, end: range.end, snapshotID: totals.snapshotID, bytes: range.bytes, isEmpty: range.isEmpty,
            manifestCandidates: range.manifestCandidates)
    }

    /// Works out `shard`'s range of the tree at `root` from walks that only examine entries
    /// (`lstat`, no reading), as for recording a manifest in shards without an earlier one:
    /// one whole walk for the totals, noting every 1,024th entry's place and weight, then a
    /// short walk from the place before each cut.
    ///
    /// - Throws: ``SnapCheckError`` when the root cannot be walked.
    public static func plan(walking root: FilePath, options: WalkOptions, shard: Shard) throws(SnapCheckError) -> ShardRange {
        var marks: [(point: ShardPoint, weight: UInt64, fileBytes: UInt64)] = []
        var (total, fileBytes, count): (UInt64, UInt64, Int) = (0, 0, 0)
        let walker = try TreeWalker(root: root, options: options)
        while let walked = walker.next() {
            if count % 1024 == 0 { marks.append((ShardPoint(walked.entry), total, fileBytes)) }
            total += weight(walked.entry)
            if walked.entry.kind == .file { fileBytes += walked.entry.size }
            count += 1
        }
        let whole = Planner(total: total, fileBytes: fileBytes, shard: shard, splitsFiles: false)
        // A cut, and the file bytes before it, from a walk starting at the last mark before it.
        func cut(atStart: Bool) throws(SnapCheckError) -> (point: ShardPoint?, fileBytesBefore: UInt64)? {
            let target = atStart ? whole.lower : whole.upper
            guard let mark = marks.last(where: { $0.weight <= target }) else { return nil }
            var planner = whole
            planner.resume(weight: mark.weight, fileBytes: mark.fileBytes)
            let walker = try TreeWalker(root: root, options: options)
            walker.skip(before: mark.point.path, isDirectory: mark.point.isDirectory)
            while let walked = walker.next() {
                // The directories on the way to the mark are not entries after it.
                guard ShardPoint(walked.entry) >= mark.point else { continue }
                if let found = planner.cutOnly(atStart: atStart, walked.entry) { return found }
            }
            return nil
        }
        let start = shard.isFirst ? (point: nil, fileBytesBefore: 0) : try cut(atStart: true)
        let end = shard.isLast ? (point: nil, fileBytesBefore: fileBytes) : try cut(atStart: false) ?? (nil, fileBytes)
        guard let start, start.point != nil || shard.isFirst else {
            return ShardRange(
                shard: shard, start: nil, end: nil, snapshotID: nil, bytes: 0, isEmpty: true, manifestCandidates: [])
        }
        var range = ShardRange(
            shard: shard, start: start.point, end: end.point, snapshotID: nil,
            bytes: end.fileBytesBefore - min(end.fileBytesBefore, start.fileBytesBefore), isEmpty: false, manifestCandidates: [])
        // The tree is the expected side here: its own non-directories a look back may need.
        let candidates = range.lookbackCandidates
        range.manifestCandidates = candidates.filter { TreeWalker.hasNonDirectory(at: $0, root: root, options: options) }
        return range
    }

    /// An entry's weight: its bytes (a regular file's) and ``entryWeight``.
    static func weight(_ entry: TreeEntry) -> UInt64 {
        entryWeight + (entry.kind == .file ? entry.size : 0)
    }

    /// The range `planner` finds among the entries that `pass` shows, in tree order, to its
    /// visitor (which returns true when it needs no more).
    private static func plan(
        _ planner: Planner, pass: (_ visit: (TreeEntry) -> Bool) throws(SnapCheckError) -> Void
    ) throws(SnapCheckError) -> ShardRange {
        var planner = planner
        try pass { planner.take($0) }
        return ShardRange(
            shard: planner.shard, start: planner.start, end: planner.end, snapshotID: nil, bytes: planner.bytes,
            isEmpty: !planner.startFound, manifestCandidates: planner.candidates)
    }

    /// Finds the two cuts of one shard in one pass over the entries.
    struct Planner {
        let shard: Shard
        /// The weights at which the shard starts and ends.
        let lower: UInt64, upper: UInt64
        /// Cuts given rather than worked out from the weights (for tests that try every place).
        private var given: (start: ShardPoint?, end: ShardPoint?)?
        /// A file this large (a share / 8) may be cut between chunks.
        let splittable: UInt64
        var start: ShardPoint?
        var end: ShardPoint?
        var startFound: Bool
        var candidates: [[UInt8]] = []
        var bytes: UInt64 = 0
        /// The running weight before the next entry.
        private var weight: UInt64 = 0
        /// Non-directories that every entry since has sorted between (`a` for `a-b`, `a.c`):
        /// a directory of the same name would still pair with them.
        private(set) var open: [[UInt8]] = []

        /// The bytes of regular files still to come (for the last shard, which stops at its
        /// start).
        private var fileBytesAfter: UInt64
        /// The bytes of the regular files taken (for ``cutOnly(atStart:_:)``).
        private var fileBytesSeen: UInt64 = 0

        init(total: UInt64, fileBytes: UInt64, shard: Shard, splitsFiles: Bool) {
            self.shard = shard
            fileBytesAfter = fileBytes
            let count = UInt64(shard.count)
            // floor(total * k / count), without overflow.
            func cut(_ k: Int) -> UInt64 { (total / count) * UInt64(k) + (total % count) * UInt64(k) / count }
            lower = cut(shard.index - 1)
            upper = shard.isLast ? UInt64.max : cut(shard.index)
            splittable = splitsFiles ? max(total / count / 8, 1) : UInt64.max
            startFound = shard.isFirst
        }

        /// A planner for a manifest with `totals` (its trailer's).
        init(totals: ManifestSummary, shard: Shard, splitsFiles: Bool = true) {
            let entries = UInt64(totals.files + totals.directories + totals.symlinks + totals.special)
            self.init(total: entries * ShardRange.entryWeight + totals.bytes, fileBytes: totals.bytes, shard: shard, splitsFiles: splitsFiles)
        }

        /// A planner that finds the cuts `range` names, for ``ShardReading``.
        init(given range: ShardRange) {
            self.init(total: 0, fileBytes: 0, shard: range.shard, splitsFiles: false)
            given = (range.start, range.end)
            startFound = range.start == nil
        }

        /// Continues after entries weighing `weight`, with `fileBytes` of regular files, that
        /// were not shown to it (a walk from a mark).
        mutating func resume(weight: UInt64, fileBytes: UInt64) {
            self.weight = weight
            fileBytesSeen = fileBytes
        }

        /// Takes the next entry for one cut only; when it falls there, the cut and the bytes of
        /// regular files before it.
        mutating func cutOnly(atStart: Bool, _ entry: TreeEntry) -> (point: ShardPoint?, fileBytesBefore: UInt64)? {
            let size = entry.kind == .file ? entry.size : 0
            defer {
                weight += ShardRange.weight(entry)
                fileBytesSeen += size
            }
            guard let point = cut(atStart: atStart, entry) else { return nil }
            return (point, fileBytesSeen + (point.isAfterEntry ? size : 0))
        }

        /// Takes the next entry; true once both cuts are known.
        mutating func take(_ entry: TreeEntry) -> Bool {
            while let last = open.last, !Self.sortsBetween(entry.path, last) { open.removeLast() }
            if !startFound, let point = cut(atStart: true, entry) {
                start = point
                startFound = true
                candidates = open + (point.isAfterEntry && entry.kind != .directory ? [entry.path] : [])
            }
            if end == nil, !shard.isLast, let point = cut(atStart: false, entry) { end = point }
            if entry.kind != .directory { open.append(entry.path) }
            bytes += ownedBytes(entry)
            weight += ShardRange.weight(entry)
            if entry.kind == .file { fileBytesAfter -= min(fileBytesAfter, entry.size) }
            // The last shard owns every byte after its start.
            if startFound && shard.isLast { bytes += fileBytesAfter }
            return startFound && (end != nil || shard.isLast)
        }

        /// The start (or the end) if it falls in `entry`: where its weight does, or the given
        /// cut, if it falls at or before `entry`.
        private func cut(atStart: Bool, _ entry: TreeEntry) -> ShardPoint? {
            if let given {
                let point = atStart ? given.start : given.end
                return point.flatMap { $0.compareEntry(entry.path, isDirectory: entry.kind == .directory) <= 0 ? $0 : nil }
            }
            let target = atStart ? lower : upper
            let whole = ShardRange.weight(entry)
            guard target < weight + whole else { return nil }
            guard target > weight else { return ShardPoint(entry) }
            let into = target - weight
            if entry.kind == .file, entry.size >= splittable, entry.chunks.count > 1 {
                let within = into > ShardRange.entryWeight ? into - ShardRange.entryWeight : 0
                guard let chunk = entry.chunks.firstIndex(where: { $0.offset >= within }) else {
                    return ShardPoint(path: entry.path, isDirectory: false, chunk: Int.max)
                }
                return ShardPoint(path: entry.path, isDirectory: false, chunk: chunk)
            }
            return into * 2 < whole ? ShardPoint(entry) : ShardPoint(path: entry.path, isDirectory: entry.kind == .directory, chunk: Int.max)
        }

        /// The bytes of `entry`'s chunks that fall between the cuts found so far.
        private func ownedBytes(_ entry: TreeEntry) -> UInt64 {
            guard entry.kind == .file, startFound else { return 0 }
            let range = ShardRange.chunks(of: entry, from: start, to: end)
            return entry.chunks[range].reduce(0) { $0 + UInt64($1.length) }
        }

        /// Whether `path` sorts between `other` and the directory `other/`: whether it starts
        /// with `other` followed by a byte that sorts before `/`.
        static func sortsBetween(_ path: [UInt8], _ other: [UInt8]) -> Bool {
            path.count > other.count && path[other.count] < 0x2F && path.starts(with: other)
        }
    }

    /// The chunks of `entry` (a regular file) that lie between `start` and `end`.
    static func chunks(of entry: TreeEntry, from start: ShardPoint?, to end: ShardPoint?) -> Range<Int> {
        let count = entry.chunks.count
        func index(_ point: ShardPoint?, ifNil: Int) -> Int {
            guard let point else { return ifNil }
            let order = point.compareEntry(entry.path, isDirectory: false)
            return order < 0 ? 0 : order > 0 ? count : min(point.chunk, count)
        }
        let lower = index(start, ifNil: 0)
        return lower..<max(lower, index(end, ifNil: count))
    }

    /// The chunks of `entry` that this shard reads.
    func chunks(of entry: TreeEntry) -> Range<Int> { Self.chunks(of: entry, from: start, to: end) }

    /// Whether the step at `point` (an entry's place, chunk 0) is this shard's.
    func owns(_ point: ShardPoint) -> Bool {
        !isEmpty && (start.map { $0 <= point } ?? true) && (end.map { point < $0 } ?? true)
    }

    /// Whether the step at `point` lies after this shard's range.
    func isPast(_ point: ShardPoint) -> Bool { end.map { point >= $0 } ?? false }

    /// Where this shard starts reading both sides: its start, or the first non-directory before
    /// it (in the manifest, or found in `target`) that a directory in its range could pair with.
    func lookback(target hasNonDirectory: ([UInt8]) -> Bool) -> ShardPoint? {
        guard let start else { return nil }
        // A non-directory X waits for a directory X from where it sorts to where `X/` does:
        // the ones waiting at the start are X with the start in (X, X/], a prefix of its path
        // followed by a byte below `/`, or its own path when the start is at the directory or
        // just after the non-directory.
        for candidate in lookbackCandidates where manifestCandidates.contains(candidate) || hasNonDirectory(candidate) {
            return ShardPoint(path: candidate, isDirectory: false)
        }
        return ShardPoint(path: start.path, isDirectory: start.isDirectory)
    }

    /// The paths a non-directory waiting at ``start`` for a directory of its name can have, in
    /// tree order (see ``lookback(target:)``).
    var lookbackCandidates: [[UInt8]] {
        guard let start else { return [] }
        var candidates: [[UInt8]] = []
        for index in start.path.indices where start.path[index] < 0x2F { candidates.append(Array(start.path[..<index])) }
        if start.isDirectory ? start.chunk == 0 : start.isAfterEntry { candidates.append(start.path) }
        return candidates
    }
}
