import SystemPackage

/// What changed between two manifests of a tree: a merge-join of the two streams.
///
/// Entries at the same path are compared by type, content (chunk digests) and metadata; a file
/// only in the old manifest is removed, one only in the new is added, and an added file whose
/// whole content equals a removed file's is reported once, as moved. Memory is bounded by the
/// streams and the changes (added and removed files wait until the end to be paired as moves),
/// not by the manifests' sizes: chunk lists are streamed too, and only the digests of the old
/// file at a path are held while the new one is compared with it (32 bytes a chunk).
///
/// Shared content (the new snapshot's bytes whose chunks also occur anywhere in the old one) is
/// counted from a set of the old manifest's chunk digests, which is exact up to 65,536 distinct
/// chunks; beyond that only digests whose first bits are zero are kept (1 in 2, 4, ...) and the
/// count is scaled up accordingly: an estimate, flagged as such.
///
/// Manifests made with different chunking parameters cannot be compared chunk by chunk. Files
/// are then compared by whole content where that can be decided (different sizes, or both
/// files in a single chunk, whose digest is the file's SHA-256); other files are reported as
/// `uncomparable`.
public enum ManifestDiff {
    /// One difference between the snapshots.
    public struct Change: Sendable, Hashable, Codable {
        /// The kinds of change.
        public enum Kind: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable {
            /// Only in the new snapshot.
            case added
            /// Only in the old snapshot.
            case removed
            /// A regular file whose content changed.
            case modified
            /// The same content at another path (``Change/oldPath`` → ``Change/path``).
            case moved
            /// The entry's type changed.
            case type
            /// A symlink's target changed.
            case symlink
            /// Only mode or modification time changed.
            case metadata
            /// Different chunking parameters and no way to decide whether the content is equal.
            case uncomparable
        }

        /// The kind of change.
        public var kind: Kind
        /// The path (in the new snapshot, or the old one for a removed entry).
        public var path: [UInt8]
        /// For `moved`: the path in the old snapshot.
        public var oldPath: [UInt8]?
        /// The entry's type (in the new snapshot where it exists).
        public var entryKind: FileKind
        /// The file's size (new size where it exists).
        public var size: UInt64
        /// For `modified`: the new file's chunks whose digest is not among the old file's.
        public var changedChunks: Int
        /// For `modified`: their bytes.
        public var changedBytes: UInt64
        /// For `modified`: the new file's chunk count.
        public var totalChunks: Int
        /// A short explanation for people.
        public var detail: String
        /// For a change between two entries at the same path: the old entry's size (``size``
        /// is the new one's); nil for added, removed and moved entries.
        public var oldSize: UInt64?

        /// Creates a change.
        public init(kind: Kind, path: [UInt8], oldPath: [UInt8]? = nil, entryKind: FileKind, size: UInt64 = 0,
                    changedChunks: Int = 0, changedBytes: UInt64 = 0, totalChunks: Int = 0, detail: String = "") {
            self.kind = kind
            self.path = path
            self.oldPath = oldPath
            self.entryKind = entryKind
            self.size = size
            self.changedChunks = changedChunks
            self.changedBytes = changedBytes
            self.totalChunks = totalChunks
            self.detail = detail
        }

        /// The path, escaped for display.
        public var displayPath: String { PathEscaping.escape(path) }

        /// The path as a `FilePath` (relative to the root), byte for byte.
        public var filePath: FilePath { FilePath(bytes: path) }
    }

    /// The totals of a diff.
    public struct Summary: Sendable, Hashable, Codable {
        /// The old manifest's snapshot id.
        public var oldSnapshot: Digest
        /// The new manifest's snapshot id.
        public var newSnapshot: Digest
        /// Changes per kind.
        public var counts: [Change.Kind: Int] = [:]
        /// Bytes of added files (moves excluded) and of changed chunks of modified files.
        public var bytesAdded: UInt64 = 0
        /// Bytes of removed files (moves excluded).
        public var bytesRemoved: UInt64 = 0
        /// Bytes of regular files in the new snapshot.
        public var newBytes: UInt64 = 0
        /// The new snapshot's bytes whose chunks also occur in the old one.
        public var sharedBytes: UInt64 = 0
        /// Whether ``sharedBytes`` is a sampled estimate rather than exact.
        public var sharedIsEstimate = false
        /// Whether the manifests were made with different chunking parameters (files are then
        /// compared by whole content only).
        public var differentChunking = false

        /// Whether the two snapshots are the same tree.
        public var identical: Bool { counts.values.allSatisfy { $0 == 0 } }

        /// Empty totals, while the diff runs; the ids are set when both manifests are read.
        init() {
            oldSnapshot = Digest(bytes: [UInt8](repeating: 0, count: Digest.byteCount))
            newSnapshot = oldSnapshot
        }
    }

    /// Compares the manifest `old` with the manifest `new`, handing each change to `change`.
    ///
    /// The old manifest is read whole (and checked) before any change is reported; the new one
    /// is checked as it is read, so changes are provisional until this returns.
    ///
    /// - Parameters:
    ///   - old: the older manifest's path.
    ///   - new: the newer manifest's path.
    ///   - expectedOld: the snapshot id `old` must have (nil: any intact manifest).
    ///   - expectedNew: the snapshot id `new` must have (nil: any intact manifest).
    ///   - cancellation: stops the comparison early when cancelled.
    ///   - change: receives each change, in path order.
    /// - Throws: ``SnapCheckError`` when either manifest is unreadable or invalid, or is not
    ///   the snapshot expected (``SnapCheckError/Code/unexpectedSnapshot``).
    public static func compare(
        old: FilePath, new: FilePath, expectedOld: Digest? = nil, expectedNew: Digest? = nil, cancellation: Cancellation? = nil,
        change: (Change) -> Void
    ) throws(SnapCheckError) -> Summary {
        // First pass over the old manifest: its chunk digests, for shared content.
        let oldChunks = try ChunkSketch(manifest: old, expectedSnapshot: expectedOld)
        // The second pass must read the same manifest as the first.
        let oldReader = try ManifestReader(path: old, expectedSnapshot: oldChunks.snapshotID)
        let newReader = try ManifestReader(path: new, expectedSnapshot: expectedNew)
        var summary = Summary()
        summary.differentChunking = oldReader.parameters != newReader.parameters
        summary.sharedIsEstimate = oldChunks.level > 0
        let sameChunking = !summary.differentChunking

        var removed: [ContentKey: [TreeEntry]] = [:]
        var added: [ContentKey: [TreeEntry]] = [:]
        var unpaired: [(TreeEntry, Bool)] = []  // (entry, isAdded) without a content key
        func report(_ item: Change) {
            summary.counts[item.kind, default: 0] += 1
            change(item)
        }

        // Shared bytes are counted over the sampled chunks of the new snapshot, and scaled by
        // the share of them found in the old one: a ratio, so never more than the new bytes.
        var sampledNew: UInt64 = 0
        var sampledShared: UInt64 = 0
        // Entries are read without their chunks, which are streamed: a file of a million
        // chunks is never held whole (only the old file's digests, when it is compared).
        func newChunks(_ each: (Chunk) -> Void) throws(SnapCheckError) {
            while let chunk = try newReader.nextChunk() {
                let (sampled, shared) = oldChunks.sample(chunk)
                sampledNew = sampledNew.saturatingAdd(sampled)
                sampledShared = sampledShared.saturatingAdd(shared)
                each(chunk)
            }
        }
        var oldEntry = try oldReader.nextHeader()
        var newEntry = try newReader.nextHeader()
        while oldEntry != nil || newEntry != nil {
            try cancellation?.check()
            let order: Int
            switch (oldEntry, newEntry) {
            case (let a?, let b?): order = TreeOrder.compare(a.path, isDirectory: a.kind == .directory, b.path, isDirectory: b.kind == .directory)
            case (nil, _): order = 1
            case (_, nil): order = -1
            }
            if order >= 0, let entry = newEntry, entry.kind == .file {
                summary.newBytes = summary.newBytes.saturatingAdd(entry.size)
            }
            if let old = oldEntry, let new = newEntry, order == 0 {
                let content = old.kind == .file && new.kind == .file ? try compareContent(old, new) : nil
                try newChunks { _ in }
                if let item = compareEntries(old, new, content: content) { report(item) }
            } else if let entry = oldEntry, order < 0 {
                var identity = ContentIdentity()
                while let chunk = try oldReader.nextChunk() { identity.add(chunk.digest) }
                if let key = ContentKey(entry, identity, sameChunking: sameChunking) { removed[key, default: []].append(entry) } else { unpaired.append((entry, false)) }
            } else if let entry = newEntry {
                var identity = ContentIdentity()
                try newChunks { identity.add($0.digest) }
                if let key = ContentKey(entry, identity, sameChunking: sameChunking) { added[key, default: []].append(entry) } else { unpaired.append((entry, true)) }
            }
            if order <= 0 { oldEntry = try oldReader.nextHeader() }
            if order >= 0 { newEntry = try newReader.nextHeader() }
        }
        // Exact when nothing was sampled (the sample is then every chunk).
        summary.sharedBytes = sampledNew == 0 ? 0
            : UInt64((Double(summary.newBytes) * (Double(sampledShared) / Double(sampledNew))).rounded(.down))
        if !summary.sharedIsEstimate && sampledNew == summary.newBytes { summary.sharedBytes = sampledShared }
        // Both readers are at their ends (each checked its trailer and id).
        summary.oldSnapshot = oldReader.summary!.snapshotID
        summary.newSnapshot = newReader.summary!.snapshotID

        // Pair added and removed files of equal content as moves; the rest stay added/removed.
        var remaining: [(TreeEntry, Bool)] = unpaired
        for (key, newFiles) in added {
            var oldFiles = removed.removeValue(forKey: key) ?? []
            for entry in newFiles {
                if !oldFiles.isEmpty {
                    let from = oldFiles.removeFirst()
                    report(Change(kind: .moved, path: entry.path, oldPath: from.path, entryKind: entry.kind, size: entry.size,
                                  detail: "from \(from.displayPath)"))
                } else {
                    remaining.append((entry, true))
                }
            }
            remaining += oldFiles.map { ($0, false) }
        }
        for files in removed.values { remaining += files.map { ($0, false) } }
        remaining.sort { TreeOrder.compare($0.0.path, isDirectory: $0.0.kind == .directory, $1.0.path, isDirectory: $1.0.kind == .directory) < 0 }
        // A directory and a non-directory of the same name sort apart (`a/` after `a`): the same
        // path both removed and added is one change of type.
        var removedByPath: [[UInt8]: TreeEntry] = [:]
        var addedByPath: [[UInt8]: TreeEntry] = [:]
        for (entry, isAdded) in remaining {
            if isAdded { addedByPath[entry.path] = entry } else { removedByPath[entry.path] = entry }
        }
        for (entry, isAdded) in remaining {
            let counterpart = isAdded ? removedByPath[entry.path] : addedByPath[entry.path]
            if let counterpart {
                if isAdded, let item = compareEntries(counterpart, entry, content: nil) { report(item) }
                continue
            }
            if isAdded { summary.bytesAdded += entry.size } else { summary.bytesRemoved += entry.size }
            report(Change(kind: isAdded ? .added : .removed, path: entry.path, entryKind: entry.kind, size: entry.size))
        }
        return summary

        /// Reads the chunk lists of two files at the same path, the old one's first: its
        /// digests are kept (32 bytes a chunk) while the new one's stream past them.
        func compareContent(_ old: TreeEntry, _ new: TreeEntry) throws(SnapCheckError) -> ContentVerdict {
            guard sameChunking else {
                // Different chunkings: only a file's single chunk tells its whole content.
                var oldCount = 0, newCount = 0
                var oldDigest: Digest?, newDigest: Digest?
                while let chunk = try oldReader.nextChunk() {
                    oldCount += 1
                    oldDigest = chunk.digest
                }
                try newChunks {
                    newCount += 1
                    newDigest = $0.digest
                }
                if old.size != new.size { return .modifiedWhole("size \(old.size) -> \(new.size) (compared by whole file)") }
                guard oldCount <= 1 && newCount <= 1 else { return .uncomparable }
                return oldDigest == newDigest ? .same : .modifiedWhole("content differs (compared by whole file)")
            }
            var oldDigests: [Digest] = []
            oldDigests.reserveCapacity(oldReader.expectedChunkCount(of: old))
            while let chunk = try oldReader.nextChunk() { oldDigests.append(chunk.digest) }
            // While the new chunks follow the old ones in order, nothing changed; from the
            // first that does not, the old digests are sorted and each new chunk looked up.
            var inOrder = 0
            var sorted = false
            var changedChunks = 0
            var changedBytes: UInt64 = 0
            var totalChunks = 0
            try newChunks { chunk in
                totalChunks += 1
                if !sorted && inOrder < oldDigests.count && oldDigests[inOrder] == chunk.digest {
                    inOrder += 1
                    return
                }
                if !sorted {
                    Digest.sortInPlace(&oldDigests)
                    sorted = true
                }
                if !Digest.sorted(oldDigests, contains: chunk.digest) {
                    changedChunks += 1
                    changedBytes += UInt64(chunk.length)
                }
            }
            let sameChunks = !sorted && inOrder == oldDigests.count
            guard sameChunks && old.size == new.size && old.status == new.status else {
                return .modified(changedChunks: changedChunks, changedBytes: changedBytes, totalChunks: totalChunks)
            }
            return .same
        }

        func compareEntries(_ old: TreeEntry, _ new: TreeEntry, content: ContentVerdict?) -> Change? {
            guard var change = changeBetween(old, new, content: content) else { return nil }
            change.oldSize = old.size
            return change
        }

        func changeBetween(_ old: TreeEntry, _ new: TreeEntry, content: ContentVerdict?) -> Change? {
            guard old.kind == new.kind else {
                summary.bytesAdded += new.size
                summary.bytesRemoved += old.size
                return Change(kind: .type, path: new.path, entryKind: new.kind, size: new.size,
                              detail: old.typeChange(to: new))
            }
            if new.kind == .symlink && old.symlinkTarget != new.symlinkTarget {
                return Change(kind: .symlink, path: new.path, entryKind: .symlink,
                              detail: "\"\(PathEscaping.escape(old.symlinkTarget ?? []))\" -> \"\(PathEscaping.escape(new.symlinkTarget ?? []))\"")
            }
            switch content {
            case nil, .same?: break
            case let .modified(changedChunks, changedBytes, totalChunks)?:
                summary.bytesAdded += changedBytes
                return Change(kind: .modified, path: new.path, entryKind: .file, size: new.size,
                              changedChunks: changedChunks, changedBytes: changedBytes, totalChunks: totalChunks,
                              detail: old.size == new.size ? "" : "size \(old.size) -> \(new.size)")
            case .modifiedWhole(let detail)?:
                summary.bytesAdded += new.size
                return Change(kind: .modified, path: new.path, entryKind: .file, size: new.size, detail: detail)
            case .uncomparable?:
                return Change(kind: .uncomparable, path: new.path, entryKind: .file, size: new.size,
                              detail: "different chunking: whole-file equality cannot be decided")
            }
            if old.status != new.status {
                // A directory or link that became unreadable (or readable again) is a change,
                // even when nothing else recorded about it differs.
                return Change(kind: .modified, path: new.path, entryKind: new.kind, size: new.size,
                              detail: "recorded as \(old.status.rawValue) -> \(new.status.rawValue)")
            }
            return old.metadataChange(to: new).map {
                Change(kind: .metadata, path: new.path, entryKind: new.kind, size: new.size, detail: $0)
            }
        }
    }
}

/// How a file's content compares with that of the old file at its path.
enum ContentVerdict {
    /// The same chunks (across chunkings: the same single chunk), size and status.
    case same
    /// Different content, size or status; the new file's chunks that are not among the old
    /// file's, their bytes, and the new file's chunk count.
    case modified(changedChunks: Int, changedBytes: UInt64, totalChunks: Int)
    /// Different content, found by comparing whole files (different chunkings).
    case modifiedWhole(String)
    /// Different chunkings, and no way to decide.
    case uncomparable
}

/// What makes two regular files' contents equal, as far as the manifests can tell.
struct ContentKey: Hashable {
    let size: UInt64
    let identity: Digest

    /// Nil for entries that cannot be paired by content: anything but a readable file, empty
    /// files (all alike), and, across different chunkings, files of several chunks.
    init?(_ entry: TreeEntry, _ content: ContentIdentity, sameChunking: Bool) {
        guard entry.kind == .file, entry.status == .ok, entry.size > 0 else { return nil }
        if !sameChunking && content.count != 1 { return nil }
        size = entry.size
        identity = content.finish()
    }
}

/// The chunk digests of a manifest, kept whole up to a limit and then sampled by their leading
/// bits, to count shared content in bounded memory.
struct ChunkSketch {
    static let limit = 1 << 16
    private(set) var level = 0
    private var digests: Set<Digest> = []
    /// The id of the manifest that was read.
    let snapshotID: Digest?

    init(manifest: FilePath, expectedSnapshot: Digest?) throws(SnapCheckError) {
        let reader = try ManifestReader(path: manifest, expectedSnapshot: expectedSnapshot)
        while try reader.nextHeader() != nil {
            while let chunk = try reader.nextChunk() {
                guard Self.keeps(chunk.digest, level) else { continue }
                digests.insert(chunk.digest)
                while digests.count > Self.limit {
                    level += 1
                    let next = level
                    digests = digests.filter { Self.keeps($0, next) }
                }
            }
        }
        snapshotID = reader.summary?.snapshotID
    }

    /// Whether a digest is in the sample at `level`: its first `level` bits are zero.
    private static func keeps(_ digest: Digest, _ level: Int) -> Bool {
        level == 0 || digest.words.0 >> UInt64(64 - level) == 0
    }

    /// The bytes of a chunk of the new snapshot in the sample (all of them when nothing is
    /// sampled), and those of them that also occur in the sketched manifest.
    func sample(_ chunk: Chunk) -> (sampled: UInt64, shared: UInt64) {
        guard Self.keeps(chunk.digest, level) else { return (0, 0) }
        let length = UInt64(chunk.length)
        return (length, digests.contains(chunk.digest) ? length : 0)
    }
}
