/// Puts the reports of the N shards of a verification back together into the report a single
/// run would have given: the same findings in the same order, the same totals, tallies by
/// directory and verdict.
///
/// Shards hold contiguous ranges of the steps of one merge-join, so their findings follow one
/// another in shard order. A file the cut passes through is proven when every shard's part of
/// it matched; otherwise the whole-file findings of the first part that did not are reported
/// at the file's place, once.
public enum ShardMerge {
    /// Merges the reports of all N shards (in any order).
    ///
    /// - Parameters:
    ///   - reports: the reports of all N shards, one each.
    ///   - directoryDepth: the depth of the tallies by directory the shards made (nil for none).
    /// - Returns: the findings, in order, and the totals.
    /// - Throws: ``SnapCheckError/Code/invalidArgument`` when a shard is missing or given
    ///   twice, or the reports are of different manifests, shard counts or settings, or their
    ///   ranges do not meet.
    public static func merge(
        _ reports: [ShardReport], directoryDepth: Int?
    ) throws(SnapCheckError) -> (findings: [Finding], report: VerificationReport) {
        let ordered = try checked(reports)
        var parts: [[UInt8]: [ShardPart]] = [:]
        for report in ordered {
            for case .part(let part) in report.records { parts[part.path, default: []].append(part) }
        }
        var merged = VerificationReport()
        merged.snapshotID = ordered[0].report.snapshotID
        var tally = directoryDepth.map { DirectoryTally(depth: $0) }
        var findings: [Finding] = []
        func add(_ finding: Finding) {
            findings.append(finding)
            merged.add(finding)
        }
        for report in ordered {
            let totals = report.report
            merged.expectedEntries += totals.expectedEntries
            merged.expectedFiles += totals.expectedFiles
            merged.expectedBytes = merged.expectedBytes.saturatingAdd(totals.expectedBytes)
            merged.intactFiles += totals.intactFiles
            merged.intactBytes = merged.intactBytes.saturatingAdd(totals.intactBytes)
            merged.sampled = merged.sampled || totals.sampled
            merged.complete = merged.complete && totals.complete
            for record in report.records {
                switch record {
                case .finding(let finding):
                    add(finding)
                case .part(let part) where part.isHead:
                    let all = parts[part.path] ?? []
                    try checkCoverage(all, of: part)
                    if let damaged = all.first(where: { !$0.intact }) {
                        for finding in damaged.findings {
                            add(finding)
                            tally?.add(finding)
                        }
                    } else {
                        merged.intactFiles += 1
                        merged.intactBytes = merged.intactBytes.saturatingAdd(part.size)
                        tally?.intact(part.path, size: part.size)
                    }
                case .part:
                    break
                }
            }
        }
        if let tally { merged.directories = mergedDirectories(ordered.map(\.report.directories) + [tally.directories]) }
        return (findings, merged)
    }

    /// The reports in shard order, once each checked to belong together.
    private static func checked(_ reports: [ShardReport]) throws(SnapCheckError) -> [ShardReport] {
        guard let first = reports.first else { throw SnapCheckError(.invalidArgument, "no shard reports to merge") }
        let count = first.shard.count
        var byIndex: [Int: ShardReport] = [:]
        for report in reports {
            guard report.shard.count == first.shard.count else {
                throw SnapCheckError(.invalidArgument, "shard \(report.shard) is of another shard count than shard \(first.shard)")
            }
            guard report.report.snapshotID == first.report.snapshotID else {
                throw SnapCheckError(.invalidArgument, "shard \(report.shard) checked another manifest than shard \(first.shard)")
            }
            guard report.settings == first.settings else {
                let differing = Set(report.settings.keys).union(first.settings.keys).sorted()
                    .first { report.settings[$0] != first.settings[$0] } ?? "settings"
                throw SnapCheckError(.invalidArgument, "shard \(report.shard) was run with another \(differing) than shard \(first.shard)")
            }
            guard byIndex.updateValue(report, forKey: report.shard.index) == nil else {
                throw SnapCheckError(.invalidArgument, "shard \(report.shard) is given twice")
            }
        }
        let missing = (1...count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", ")
            throw SnapCheckError(.invalidArgument, "missing shard\(missing.count == 1 ? "" : "s") \(list)\(missing.count > 10 ? ", …" : "")")
        }
        let ordered = (1...count).compactMap { byIndex[$0] }  // every one: the missing were refused
        // Cuts worked out from different trees (a source that changed between two shards of
        // a compare) would overlap or leave a gap.
        guard ordered.first?.start == nil, ordered.last?.end == nil else {
            throw SnapCheckError(.invalidArgument, "the shards' ranges do not cover the manifest")
        }
        for (before, after) in zip(ordered, ordered.dropFirst()) where before.end != after.start {
            throw SnapCheckError(
                .invalidArgument, "shards \(before.shard) and \(after.shard) do not meet (they cut another tree or manifest)")
        }
        return ordered
    }

    /// Refuses a file whose parts do not cover its chunks exactly once.
    private static func checkCoverage(_ parts: [ShardPart], of head: ShardPart) throws(SnapCheckError) {
        var next = 0
        for part in parts.sorted(by: { $0.chunks.lowerBound < $1.chunks.lowerBound }) {
            guard part.chunks.lowerBound == next, part.chunkCount == head.chunkCount, part.size == head.size else { break }
            next = part.chunks.upperBound
        }
        guard next == head.chunkCount else {
            throw SnapCheckError(.invalidArgument, "the shards' parts of \(PathEscaping.escape(head.path)) do not fit together")
        }
    }

    /// Tallies by directory summed over the shards, in byte order of their paths.
    private static func mergedDirectories(_ lists: [[DirectoryCoverage]]) -> [DirectoryCoverage] {
        var byPath: [[UInt8]: DirectoryCoverage] = [:]
        for directory in lists.joined() {
            var sum = byPath[directory.path] ?? DirectoryCoverage(path: directory.path)
            sum.expectedFiles += directory.expectedFiles
            sum.expectedBytes = sum.expectedBytes.saturatingAdd(directory.expectedBytes)
            sum.intactFiles += directory.intactFiles
            sum.intactBytes = sum.intactBytes.saturatingAdd(directory.intactBytes)
            for (kind, count) in directory.findings { sum.findings[kind, default: 0] += count }
            byPath[directory.path] = sum
        }
        return byPath.values.sorted { $0.path.lexicographicallyPrecedes($1.path) }
    }
}
