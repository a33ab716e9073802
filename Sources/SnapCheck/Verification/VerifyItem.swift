/// One unit of verification work: an entry of the manifest, of the target, or of both.
enum VerifyItem {
    /// The same path in both; for a spot-check, with the indexes of the chunks to read.
    case matched(TreeEntry, TargetEntry, sample: [Int]?)
    /// Only in the manifest.
    case missing(TreeEntry)
    /// Only in the target.
    case extra(TargetEntry)
    /// The same path, one side a directory and the other not.
    case typeChanged(TreeEntry, TargetEntry)
    /// In the manifest, inside a target directory that cannot be listed: not known to be there
    /// or missing.
    case hidden(TreeEntry)
    /// One part of a large regular file present in both, checked by several workers.
    case part(SplitFile, Int)
    /// The chunks of a regular file present in both that one shard reads, when the shard cut
    /// passes through the file; `head` for the shard holding the first chunk.
    case shardPart(TreeEntry, TargetEntry, Range<Int>, head: Bool)

    /// What evaluating an item produced.
    struct Outcome {
        var findings: [Finding] = []
        /// Set when a regular file was proven intact: its size.
        var intactBytes: UInt64?
        var checkedFile = false
        var checkedBytes: UInt64 = 0
        /// For a regular file whose chunks were read, when proofs are recorded
        /// (``VerifyOptions/recordsProofs``): the manifest's entry and the chunks that matched.
        var proven: (entry: TreeEntry, chunks: ProvenChunks)?
        /// The path of a file proven intact (with ``intactBytes``), for tallies by directory.
        var intactPath: [UInt8]?
        /// For a ``VerifyItem/shardPart(_:_:_:head:)``: what the shard found in its chunks.
        var shardPart: ShardPart?
    }

    /// Which chunks of a file were read and matched.
    enum ProvenChunks {
        /// Every chunk: the file is intact.
        case all
        /// These chunk indexes, ascending.
        case some([Int])

        /// How many of `entry`'s chunks.
        func count(of entry: TreeEntry) -> Int {
            switch self {
            case .all: entry.chunks.count
            case .some(let indexes): indexes.count
            }
        }
    }

    /// The size of the regular file the manifest expects here, if any (for batching).
    var expectedFileBytes: UInt64 {
        switch self {
        case .matched(let expected, _, let sample?) where expected.kind == .file:
            sample.reduce(0) { $0 + UInt64(expected.chunks[$1].length) }
        case .matched(let expected, _, nil) where expected.kind == .file: expected.size
        case .part(let split, let part): split.expected.chunks[split.parts[part]].reduce(0) { $0 + UInt64($1.length) }
        case .shardPart(let expected, _, let range, _): expected.chunks[range].reduce(0) { $0 + UInt64($1.length) }
        default: 0
        }
    }

    /// What evaluating the item will read, for reading ahead on slow storage: a file's first
    /// 16 MiB (the kernel reads on ahead of a sequential read), a part's range, a sample's
    /// chunks.
    var reads: [Prefetcher.Request] {
        switch self {
        case .matched(let expected, let target, let sample) where expected.kind == .file && target.entry.kind == .file && target.problem == nil:
            if let sample {
                return sample.map { Prefetcher.Request(location: target.content, offset: expected.chunks[$0].offset, length: UInt64(expected.chunks[$0].length)) }
            }
            return [Prefetcher.Request(location: target.content, offset: 0, length: min(expected.size, 16 << 20))]
        case .part(let split, let part):
            let chunks = split.expected.chunks[split.parts[part]]
            guard let first = chunks.first, let last = chunks.last else { return [] }
            return [Prefetcher.Request(
                location: split.walked.content, offset: first.offset, length: last.offset + UInt64(last.length) - first.offset)]
        case .shardPart(let expected, let target, let range, _):
            guard let first = expected.chunks[range].first, let last = expected.chunks[range].last else { return [] }
            return [Prefetcher.Request(
                location: target.content, offset: first.offset, length: min(last.offset + UInt64(last.length) - first.offset, 16 << 20))]
        default:
            return []
        }
    }

    /// The directory the item keeps open (a target's regular file's), if any.
    var directory: DirectoryHandle? {
        let target: TargetEntry
        switch self {
        case .matched(_, let walked, _), .extra(let walked), .typeChanged(_, let walked), .shardPart(_, let walked, _, _): target = walked
        case .part(let split, _): target = split.walked
        case .missing, .hidden: return nil
        }
        guard case .file(_, let directory) = target.content else { return nil }
        return directory
    }

    /// The size the manifest gives the entry the item is about (0 for an extra entry).
    var expectedSize: UInt64 {
        switch self {
        case .matched(let expected, _, _), .missing(let expected), .typeChanged(let expected, _), .hidden(let expected),
             .shardPart(let expected, _, _, _): expected.size
        case .extra: 0
        case .part(let split, _): split.expected.size
        }
    }

    /// The path the item is about.
    var path: [UInt8] {
        switch self {
        case .matched(let expected, _, _), .missing(let expected), .typeChanged(let expected, _), .hidden(let expected),
             .shardPart(let expected, _, _, _): expected.path
        case .extra(let actual): actual.entry.path
        case .part(let split, _): split.expected.path
        }
    }

    /// Compares, reading file contents with `check` (on a worker thread).
    func evaluate(_ check: ContentCheck, _ options: VerifyOptions) -> Outcome {
        var outcome = Outcome()
        switch self {
        case .missing(let expected):
            outcome.findings.append(Finding(kind: .missing, path: expected.path, expectedKind: expected.kind, bytes: expected.size))
        case .extra(let actual):
            outcome.findings.append(Finding(
                kind: .extra, path: actual.entry.path, actualKind: actual.entry.kind, bytes: actual.entry.size,
                counts: !options.allowExtra))
        case .typeChanged(let expected, let actual):
            outcome.findings.append(EntryComparison.typeFinding(expected, actual.entry))
        case .hidden(let expected):
            outcome.findings.append(Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, bytes: expected.size,
                detail: "inside a directory that cannot be listed"))
        case .matched(let expected, let actual, let sample):
            outcome = compare(expected, actual, sample, check, options)
        case .part(let split, let part):
            outcome = Self.partCheck(split, part, check, options)
        case .shardPart(let expected, let walked, let range, let head):
            outcome = Self.shardPartCheck(expected, walked, range, head: head, check, options)
        }
        return outcome
    }

    private func compare(
        _ expected: TreeEntry, _ walked: TargetEntry, _ sample: [Int]?, _ check: ContentCheck, _ options: VerifyOptions
    ) -> Outcome {
        var outcome = Outcome()
        let actual = walked.entry
        guard expected.kind == actual.kind else {
            outcome.findings.append(EntryComparison.typeFinding(expected, actual))
            return outcome
        }
        if expected.status == .unreadable {
            outcome.findings.append(Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                bytes: expected.size, detail: "was unreadable when the manifest was made, so cannot be proven"))
        } else if let problem = walked.problem {
            var finding = Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                bytes: expected.size, detail: problem.reason)
            finding.errno = problem.errno
            outcome.findings.append(finding)
        } else {
            switch expected.kind {
            case .file where sample != nil:
                outcome = spotCheck(expected, walked, sample!, check, recordsProofs: options.recordsProofs)
            case .file:
                outcome = Self.fullCheck(expected, walked, check, recordsProofs: options.recordsProofs)
            case .symlink where expected.symlinkTarget != actual.symlinkTarget:
                outcome.findings.append(EntryComparison.symlinkFinding(expected, actual))
            default:
                break
            }
        }
        if let finding = EntryComparison.metadataFinding(expected, actual, options) { outcome.findings.append(finding) }
        return outcome
    }

    /// Every byte of one file, with resynchronisation after a difference; the chunk ranges in
    /// `verified` were found intact at their offsets already, and are not read again.
    private static func fullCheck(
        _ expected: TreeEntry, _ walked: TargetEntry, _ check: ContentCheck, recordsProofs: Bool, verified: [Range<Int>] = []
    ) -> Outcome {
        var outcome = Outcome()
        outcome.checkedFile = true
        outcome.checkedBytes = expected.size
        do {
            let result = try check.check(expected, at: walked.content, verified: verified)
            if let finding = EntryComparison.contentFinding(expected, result, sampled: false) {
                outcome.findings.append(finding)
            } else {
                outcome.intactBytes = expected.size
                outcome.intactPath = expected.path
                // Only when asked: carrying the entry back costs, per file, more than a small
                // file's whole bookkeeping.
                if recordsProofs { outcome.proven = (expected, .all) }
            }
        } catch {
            outcome.findings.append(EntryComparison.unreadableFinding(expected, error))
        }
        return outcome
    }

    /// One part of a large file (see ``SplitFile``): its chunks at their offsets, and, from
    /// whichever worker finishes the file's last part, the file's verdict. A part that finds a
    /// difference only says so; the file is then checked whole, with resynchronisation, so the
    /// ranges are exact.
    private static func partCheck(_ split: SplitFile, _ part: Int, _ check: ContentCheck, _ options: VerifyOptions) -> Outcome {
        let expected = split.expected
        let range = split.parts[part]
        var outcome = Outcome()
        let passed = (try? check.checkChunks(expected, range, at: split.walked.content)) ?? false
        outcome.checkedBytes = expected.chunks[range].reduce(0) { $0 + UInt64($1.length) }
        guard let passedParts = split.finish(part, passed: passed) else { return outcome }
        outcome.checkedFile = true
        if passedParts.count == split.parts.count {
            outcome.intactBytes = expected.size
            outcome.intactPath = expected.path
            if options.recordsProofs { outcome.proven = (expected, .all) }
        } else {
            outcome.findings = fullCheck(expected, split.walked, check, recordsProofs: false, verified: passedParts).findings
        }
        // After the content, as for a file checked whole.
        if let finding = EntryComparison.metadataFinding(expected, split.walked.entry, options) { outcome.findings.append(finding) }
        return outcome
    }

    /// A shard's chunks of a file the shard cut passes through (see ``ShardPart``): read at
    /// their offsets; if they differ, the whole file is checked as a single run would check
    /// it, and its findings go with the part. The head part also brings the file's metadata
    /// finding, as a file checked whole does.
    private static func shardPartCheck(
        _ expected: TreeEntry, _ walked: TargetEntry, _ range: Range<Int>, head: Bool, _ check: ContentCheck, _ options: VerifyOptions
    ) -> Outcome {
        var outcome = Outcome()
        outcome.checkedFile = head
        outcome.checkedBytes = expected.chunks[range].reduce(0) { $0 + UInt64($1.length) }
        let passed = (try? check.checkChunks(expected, range, at: walked.content)) ?? false
        var part = ShardPart(path: expected.path, chunks: range, chunkCount: expected.chunks.count, size: expected.size, intact: passed)
        if !passed {
            part.findings = fullCheck(expected, walked, check, recordsProofs: false).findings
            part.intact = part.findings.isEmpty
        }
        outcome.shardPart = part
        if head, let finding = EntryComparison.metadataFinding(expected, walked.entry, options) { outcome.findings.append(finding) }
        return outcome
    }

    /// A spot-check of one file: its size, and the chosen chunks only.
    private func spotCheck(_ expected: TreeEntry, _ walked: TargetEntry, _ sample: [Int], _ check: ContentCheck, recordsProofs: Bool) -> Outcome {
        var outcome = Outcome()
        outcome.checkedFile = true
        outcome.checkedBytes = sample.reduce(0) { $0 + UInt64(expected.chunks[$1].length) }
        do {
            let result = try check.checkSample(expected, chunks: sample, at: walked.content)
            let differing = Set(result.ranges.map(\.offset))
            if recordsProofs { outcome.proven = (expected, .some(sample.filter { !differing.contains(expected.chunks[$0].offset) })) }
            if let finding = EntryComparison.contentFinding(expected, result, sampled: true) {
                outcome.findings.append(finding)
            } else if sample.count == expected.chunks.count {
                // Every chunk was chosen, read and matched, at the right size: proven whole.
                outcome.intactBytes = expected.size
                outcome.intactPath = expected.path
            }
        } catch {
            outcome.findings.append(EntryComparison.unreadableFinding(expected, error))
        }
        return outcome
    }
}
