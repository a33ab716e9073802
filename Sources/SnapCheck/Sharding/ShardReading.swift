import SystemPackage

/// A shard's one read of its manifest for a check: the cuts are found as the entries go by
/// (``ShardRange/Planner``), and the check is handed only what it needs, on a thread of the
/// library's own.
///
/// Before the shard's start, entries are passed over, but for the directories that hold the
/// next one and the few entries that a look back could need (those since the oldest
/// non-directory a directory at the start could still pair with; see
/// ``ShardRange/lookback(target:)``). At the start the range is handed over (``Item/started(_:)``),
/// then the directories on the way and the entries from the look back on, then every entry
/// after, the end marked on the entry it falls in. Only when the look back reaches further
/// than what was kept (a non-directory found in the target only, or a great many entries kept)
/// is the manifest read again from its beginning up to the start.
enum ShardReading {
    /// What the reading hands over, in order.
    enum Item: Sendable {
        /// The start is known (the end perhaps not yet): always the first item.
        case started(ShardRange)
        /// An entry for the check; `end` when the shard's end falls in it; `skippedChunks`:
        /// the chunks of the entries passed over since the item before (a spot-check's sample
        /// plan draws for them).
        case entry(TreeEntry, end: ShardPoint?, skippedChunks: Int)
    }

    /// At most this many entries are kept for a look back; beyond, the manifest is read again.
    static let keptLimit = 50_000

    /// Starts reading `manifest` (whose id is `snapshotID`) for the shard `planner` plans;
    /// `hasNonDirectory` looks in the target (from the reading's thread, before the check
    /// starts).
    static func start(
        manifest: FilePath, planner: ShardRange.Planner, snapshotID: Digest,
        hasNonDirectory: @escaping @Sendable ([UInt8]) -> Bool
    ) -> ReadAhead<Item, Void> {
        ReadAhead<Item, Void>(weight: { item in
            guard case .entry(let entry, _, _) = item else { return 0 }
            return entry.heldBytes
        }) { (emit) throws(SnapCheckError) in
            var planner = planner
            let reader = try ManifestReader(path: manifest)
            var kept: [TreeEntry] = []
            // The oldest open non-directory when the kept entries began, and whether there
            // were too many to keep since.
            var keptFrom: [UInt8]?
            var overflowed = false
            var ancestors: [TreeEntry] = []
            var skipped = 0
            var first: TreeEntry?
            if planner.startFound {
                first = try reader.next()
                if let first { _ = planner.take(first) }
            } else {
                while let entry = try reader.next() {
                    _ = planner.take(entry)
                    if planner.startFound {
                        first = entry
                        break
                    }
                    while let last = ancestors.last, !TreeOrder.isAncestor(last.path, of: entry.path) { ancestors.removeLast() }
                    if entry.kind == .directory { ancestors.append(entry) }
                    // Keep what lies since the oldest non-directory still open for pairing;
                    // what is passed over is only counted.
                    if planner.open.first != keptFrom {
                        skipped += kept.reduce(0) { $0 + $1.chunks.count }
                        kept.removeAll()
                        (keptFrom, overflowed) = (planner.open.first, false)
                    }
                    if keptFrom == nil || overflowed {
                        skipped += entry.chunks.count
                    } else {
                        kept.append(entry)
                        if kept.count > keptLimit {
                            skipped += kept.reduce(0) { $0 + $1.chunks.count }
                            kept.removeAll()
                            overflowed = true
                        }
                    }
                }
            }
            let range = ShardRange(
                shard: planner.shard, start: planner.start, end: planner.end, snapshotID: snapshotID, bytes: 0,
                isEmpty: !planner.startFound, manifestCandidates: planner.candidates)
            do { try emit(.started(range)) } catch { return }
            guard let first else { return }
            let lookback = range.lookback(target: hasNonDirectory)
            // The entries before the start that the check follows: the directories on the way
            // to the look back, and the entries from it.
            var before: [TreeEntry] = []
            if let lookback, lookback < ShardPoint(first) {
                if let oldest = kept.first, ShardPoint(oldest) <= lookback {
                    before = ancestors.filter { TreeOrder.isAncestor($0.path, of: lookback.path) }
                    for entry in kept {
                        if ShardPoint(entry) < lookback { skipped += entry.chunks.count } else { before.append(entry) }
                    }
                } else {
                    (before, skipped) = try readAgain(manifest, from: lookback, upTo: first)
                }
            } else {
                before = ancestors.filter { TreeOrder.isAncestor($0.path, of: first.path) }
                skipped += kept.reduce(0) { $0 + $1.chunks.count }
            }
            do {
                for entry in before {
                    try emit(.entry(entry, end: nil, skippedChunks: skipped))
                    skipped = 0
                }
                try emit(.entry(first, end: planner.end, skippedChunks: skipped))
                while let entry = try reader.next() {
                    let known = planner.end
                    if known == nil { _ = planner.take(entry) }
                    try emit(.entry(entry, end: known == nil ? planner.end : nil, skippedChunks: 0))
                }
            } catch {
                return
            }
        }
    }

    /// The entries from `lookback` up to `first` (exclusive), with the directories on the way,
    /// from a new read of the manifest; and the chunks of the entries passed over before them.
    private static func readAgain(
        _ manifest: FilePath, from lookback: ShardPoint, upTo first: TreeEntry
    ) throws(SnapCheckError) -> ([TreeEntry], Int) {
        let reader = try ManifestReader(path: manifest)
        var entries: [TreeEntry] = []
        var skipped = 0
        let stop = ShardPoint(first)
        while let entry = try reader.next(), ShardPoint(entry) < stop {
            let point = ShardPoint(entry)
            if lookback <= point || (entry.kind == .directory && TreeOrder.isAncestor(entry.path, of: lookback.path)) {
                entries.append(entry)
            } else {
                skipped += entry.chunks.count
            }
        }
        return (entries, skipped)
    }
}

/// A shard's range while its check runs: the end becomes known as the manifest is read.
final class ShardScope {
    /// The range so far.
    var range: ShardRange

    init(_ range: ShardRange) { self.range = range }
}
