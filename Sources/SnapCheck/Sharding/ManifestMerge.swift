import SystemPackage

extension SnapshotBuilder {
    /// Records one part of a manifest of the tree at `root` in shards: the entries of `shard`'s
    /// range, hashed as a single run would, in a file that only ``ManifestMerge`` reads. Run
    /// every part of N (on as many machines that see the tree) and merge them: the merged
    /// manifest is the one a single run writes, byte for byte but for its creation time, with
    /// the same snapshot id.
    ///
    /// The cuts between parts fall between entries (a file is never cut: its chunks depend on
    /// all its bytes before them). They are balanced by bytes from `previous`, an earlier
    /// manifest of the tree, when given, and otherwise from a walk of the tree that examines
    /// its entries without reading them (once whole, then a short walk to each cut). Every
    /// part works the cuts out alone; the merge refuses parts whose ranges do not meet (a tree
    /// that changed between two parts' walks).
    ///
    /// - Parameters:
    ///   - root: the tree.
    ///   - path: the part's file (gzip when it ends in `.gz`), written atomically.
    ///   - shard: which part.
    ///   - previous: an earlier manifest of the tree to balance the parts by, if any.
    ///   - options: chunking, exclusions, threads.
    ///   - progress: called with how far the part has come.
    ///   - problem: called for each entry that could not be read completely.
    /// - Returns: the part's totals (its own id is not the snapshot's: merge for that).
    /// - Throws: ``SnapCheckError`` when the tree or `previous` cannot be read, or the part
    ///   cannot be written.
    public static func writeManifestPart(
        of root: FilePath, to path: FilePath, shard: Shard, balancedBy previous: FilePath? = nil,
        options: SnapshotOptions = SnapshotOptions(), progress: ((SnapshotProgress) -> Void)? = nil,
        problem: (SnapCheckError) -> Void = { _ in }
    ) throws(SnapCheckError) -> ManifestSummary {
        let range: ShardRange
        if let previous {
            range = try ShardRange.plan(manifest: previous, shard: shard, splitsFiles: false)
        } else {
            range = try ShardRange.plan(walking: root, options: options.walk, shard: shard)
        }
        let writer = try ManifestWriter(
            path: path, parameters: options.chunking, source: root, created: nil,
            part: ManifestPart(shard: shard, from: range.start, to: range.end))
        if !range.isEmpty {
            try record(root: root, into: writer, options: options, range: range, progress: progress, problem: problem)
        }
        return try writer.finish()
    }
}

/// Puts the parts of a manifest recorded in shards (``SnapshotBuilder/writeManifestPart(of:to:shard:balancedBy:options:progress:problem:)``)
/// back together into the manifest a single run writes.
public enum ManifestMerge {
    /// Merges the N parts at `parts` (in any order) into a manifest at `path` (gzip when it
    /// ends in `.gz`), written atomically. Each part is read whole and checked (its trailer and
    /// its own id). The manifest's creation time is the earliest part's.
    ///
    /// - Returns: the manifest's totals and snapshot id.
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` when a part is missing or given twice,
    ///   the parts are of different shard counts or chunking, a file is a whole manifest rather
    ///   than a part, or the parts' ranges do not meet; ``SnapCheckError`` when a part is
    ///   unreadable or invalid, or the manifest cannot be written (nothing is then written).
    public static func merge(parts: [FilePath], to path: FilePath) throws(SnapCheckError) -> ManifestSummary {
        // Headers first, one file open at a time (there may be thousands of parts).
        struct Header {
            var part: ManifestPart, path: FilePath, parameters: ChunkingParameters, created: String?, source: FilePath?
        }
        var readers: [Int: Header] = [:]
        var count: Int?
        for file in parts {
            let reader = try ManifestReader(part: file)
            guard let part = reader.part else {
                throw SnapCheckError(.invalidArgument, "is a whole manifest, not a part made with manifest --shard", path: file)
            }
            guard count == nil || part.shard.count == count else {
                throw SnapCheckError(.invalidArgument, "is part \(part.shard), of another number of parts than the others", path: file)
            }
            count = part.shard.count
            let header = Header(part: part, path: file, parameters: reader.parameters, created: reader.created, source: reader.source)
            guard readers.updateValue(header, forKey: part.shard.index) == nil else {
                throw SnapCheckError(.invalidArgument, "part \(part.shard) is given twice", path: file)
            }
        }
        guard let count else { throw SnapCheckError(.invalidArgument, "no manifest parts to merge") }
        let missing = (1...count).filter { readers[$0] == nil }
        guard missing.isEmpty else {
            throw SnapCheckError(
                .invalidArgument, "missing part\(missing.count == 1 ? "" : "s") " + missing.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", "))
        }
        let ordered = (1...count).compactMap { readers[$0] }  // every one: the missing were refused
        for (before, after) in zip(ordered, ordered.dropFirst()) {
            guard before.part.to == after.part.from else {
                throw SnapCheckError(
                    .invalidArgument,
                    "parts \(before.part.shard) and \(after.part.shard) do not meet (the tree changed between their walks?): record them again",
                    path: after.path)
            }
            guard before.parameters == after.parameters else {
                throw SnapCheckError(.invalidArgument, "part \(after.part.shard) was recorded with other chunking parameters", path: after.path)
            }
        }
        let first = ordered[0]
        let created = ordered.compactMap(\.created).min()
        let writer = try ManifestWriter(path: path, parameters: first.parameters, source: first.source, created: nil, part: nil, createdText: created)
        var previous: TreeEntry?
        for header in ordered {
            let (part, file) = (header.part, header.path)
            let reader = try ManifestReader(part: file)
            guard reader.part == part, reader.parameters == header.parameters else {
                throw SnapCheckError(.invalidArgument, "changed while the parts were merged", path: file)
            }
            while var entry = try reader.next() {
                if let previous, TreeOrder.compare(
                    previous.path, isDirectory: previous.kind == .directory, entry.path, isDirectory: entry.kind == .directory) >= 0 {
                    throw SnapCheckError(.invalidArgument, "part \(part.shard) holds \(entry.displayPath), out of its range", path: file)
                }
                try writer.append(entry)
                entry.chunks = []
                previous = entry
            }
        }
        return try writer.finish()
    }
}
