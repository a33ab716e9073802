import SystemPackage

/// Verifies an archive's members against a manifest, as they come, in the order they were
/// written: in full, or (``Sampling``) a spot-check that reads only chosen chunks.
///
/// Each member is looked up in a ``ManifestIndex`` and compared as a directory entry would be
/// (``EntryComparison``): type, symlink target, metadata (at the precision the archive keeps),
/// and a regular file's bytes, matched with the manifest's chunks. Where a member's data lies
/// whole in an uncompressed archive file (plain tar), the check is the one a file in a
/// directory gets (``VerifyItem``, ``ContentCheck``): workers read the data in place with
/// positioned reads, on every core, while this thread reads the headers on and seeks past the
/// data. Otherwise (compressed, zip, cpio, sparse members, a pipe) the data is streamed out of
/// the archive once, cut with FastCDC and hashed (on the other cores, through
/// ``HashHelpers``). Findings come out in member order either way.
///
/// Members not in the manifest are extra; after the last member, manifest entries never seen
/// are missing, but directories that members imply (`a/b` implies `a`) are present. A hard
/// link is intact when the manifest gives it the same content as the member it links to and
/// that member was intact.
///
/// An archive that breaks off or is corrupt is a finding, not a failure: the member being read
/// is unreadable ("archive damaged at byte N"), and so is every manifest entry not reached.
final class ArchiveCheck {
    let index: ManifestIndex
    let layout: ArchiveLayout
    let options: VerifyOptions

    /// The running report, findings as they come.
    private(set) var report = VerificationReport()
    /// For a spot-check: the sample, and what it read.
    private(set) var sampling: Sampling?
    /// Manifest entries matched by a member; directories implied by members' paths; files
    /// found intact; files whose content matched as far as it was read (for hard links).
    private var seen: Bitmap
    private var implied: Bitmap
    private var intact: Bitmap
    private var matched: Bitmap
    /// Where the archive broke off, if it did.
    private var damage: ArchiveReader.Damage?
    /// Tallies by directory (``VerifyOptions/directoryDepth``), the manifest's side already
    /// counted.
    private var directories: DirectoryTally?
    /// Files whose data a later member of their link set brings (cpio), by path.
    private var awaitingData: [[UInt8]: Int] = [:]
    /// The last directory whose ancestors were marked implied.
    private var lastParent: [UInt8] = []
    private let chunker: StreamingChunker
    private let hasher = SHA256()
    /// Threads that hash streamed data beside this one; started for the first streamed file.
    private var helpers: HashHelpers?
    private var helpersStarted = false
    /// Workers that read members in place; started for the first such member.
    private var pool: OrderedWorkPool<[ArchiveItem], [ArchiveItem.Settled]>?
    private var batcher = JobBatcher<ArchiveItem>()
    private let monitor: ReadMonitor
    /// The archive's members, in order, and the descriptor they are read from.
    private let members: ArchiveMembers
    private let descriptor: Int32
    /// The streamed member being read (one buffer for all of them: 16 MiB, or two of the
    /// largest chunks).
    private let bytes: MemberBytes

    /// A spot-check's sample: chunks chosen in member order, each file's on the first member
    /// that has its path.
    struct Sampling {
        var plan: SamplePlan
        /// Chunks chosen, and their bytes.
        var sampledChunks = 0
        var sampledBytes: UInt64 = 0
        /// Chosen chunks read and matched.
        var matchedChunks = 0
    }

    /// A check of the members of `members`, read from `descriptor`, against `index`; a
    /// spot-check when `sampling` is given.
    init(
        index: ManifestIndex, layout: ArchiveLayout, options: VerifyOptions, members: ArchiveMembers, descriptor: Int32,
        monitor: ReadMonitor, directories: DirectoryTally?, sampling: Sampling? = nil
    ) {
        self.directories = directories
        self.index = index
        self.layout = layout
        var options = options
        options.recordsProofs = sampling != nil  // the matched chunks of a sample are counted
        self.options = options
        self.monitor = monitor
        self.members = members
        self.descriptor = descriptor
        self.sampling = sampling
        seen = Bitmap(size: index.count)
        implied = Bitmap(size: index.count)
        intact = Bitmap(size: index.count)
        matched = Bitmap(size: index.count)
        chunker = StreamingChunker(parameters: index.parameters)
        bytes = MemberBytes(members, capacity: max(16 << 20, 2 * index.parameters.maxSize), monitor: monitor)
        report.snapshotID = index.summary.snapshotID
        report.expectedEntries = index.summary.entries
        report.expectedFiles = index.summary.files
        report.expectedBytes = index.summary.bytes
    }

    /// Stops the threads; call once, at the end.
    func close() {
        pool?.shutDown()
        helpers?.shutDown()
    }

    /// Reads every member, then reports what was never seen; `label` names the archive in the
    /// finding about its damage, if it is damaged.
    func run(
        label: PathLabel, finding: (Finding) -> Void, progress: (VerificationProgress) -> Void
    ) throws(SnapCheckError) {
        var state = VerificationProgress()
        state.expectedFiles = index.summary.files
        state.expectedBytes = index.summary.bytes
        // Reports after every member and, while waiting inside a large one, every
        // progressInterval.
        let monitor = self.monitor
        let interval = options.progressInterval
        var lastReport = ContinuousClock.now
        var inFlight = InFlightPaths(tracking: true)
        func reportProgress(force: Bool) {
            let now = ContinuousClock.now
            guard force || now - lastReport >= interval else { return }
            lastReport = now
            state.readBytes = monitor.bytesRead
            state.findings = report.counted + report.warnings
            state.currentPath = inFlight.oldest.map { FilePath(bytes: $0) }
            progress(state)
        }
        func add(_ item: Finding) {
            report.add(item)
            directories?.add(item)
            finding(item)
        }
        func deliver(_ settled: [ArchiveItem.Settled]) throws(SnapCheckError) {
            inFlight.delivered()
            for one in settled {
                let outcome: ArchiveItem.Outcome
                switch one {
                case .outcome(let value): outcome = value
                case .hardLink(let link): outcome = try judge(link)
                }
                for item in outcome.findings { add(item) }
                if let content = outcome.content {
                    if content.matched { matched.set(content.ordinal) }
                    if content.proven { proveIntact(content.ordinal, content.path, size: content.size) }
                }
                if outcome.checkedFile { state.checkedFiles += 1 }
                state.checkedBytes = state.checkedBytes.saturatingAdd(outcome.checkedBytes)
                sampling?.matchedChunks += outcome.matchedChunks
            }
            reportProgress(force: true)
        }
        func send(_ job: [ArchiveItem], to pool: OrderedWorkPool<[ArchiveItem], [ArchiveItem.Settled]>) throws(SnapCheckError) {
            if let path = job.last?.path { inFlight.submitted(path) }
            try pool.submit(job, delivering: deliver, waiting: { reportProgress(force: false) })
        }
        // Until a member is read in place there are no workers, and findings go straight out;
        // from then on everything goes through the workers, to come out in member order.
        func submit(_ items: [ArchiveItem]) throws(SnapCheckError) {
            for item in items {
                if pool == nil, case .settled(let settled) = item {
                    try deliver([settled])
                    continue
                }
                let pool = self.pool ?? startPool()
                for job in batcher.add(item, weight: item.weight) { try send(job, to: pool) }
            }
        }
        do {
            while let member = try members.next() {
                try monitor.willRead()
                try submit(try check(member, tick: { reportProgress(force: false) }))
                if damage != nil { break }
            }
        } catch let error as ArchiveReader.Damage {
            damage = error
        } catch let error as SnapCheckError {
            throw error
        } catch {
            throw SnapCheckError(.io, "\(error)")
        }
        if let pool, let job = batcher.finish() { try send(job, to: pool) }
        try pool?.drain(delivering: deliver, waiting: { reportProgress(force: false) })
        if let damage {
            // The archive itself, whatever it held: a backup that cannot be read to its end.
            add(Finding(
                kind: .unreadable, path: Array(label.display.utf8), bytes: 0,
                detail: "the archive is damaged at byte \(damage.offset) of its content (byte \(damage.inputOffset) of the input): \(damage.message)"))
        }
        // Link sets whose data never came: the files are empty where the manifest has bytes.
        for ordinal in awaitingData.values.sorted() {
            let expected = try index.entry(at: ordinal)
            let nothing = ContentCheck.Outcome(ranges: [Finding.ByteRange(offset: 0, length: expected.size)], actualSize: 0)
            if let item = EntryComparison.contentFinding(expected, nothing, sampled: sampling != nil) { add(item) }
        }
        for ordinal in 0..<index.count where !seen[ordinal] {
            let expected = try index.entry(at: ordinal)
            if let damage {
                add(Finding(
                    kind: .unreadable, path: expected.path, expectedKind: expected.kind, bytes: expected.size,
                    detail: "not reached: the archive is damaged at byte \(damage.offset) (\(damage.message))"))
            } else if expected.kind == .directory && implied[ordinal] {
                continue  // present, as the parent of members; no metadata to compare
            } else {
                add(Finding(kind: .missing, path: expected.path, expectedKind: expected.kind, bytes: expected.size))
            }
        }
        report.directories = directories?.directories ?? []
    }

    /// Starts the workers that read members in place.
    private func startPool() -> OrderedWorkPool<[ArchiveItem], [ArchiveItem.Settled]> {
        let parameters = index.parameters
        let monitor = self.monitor
        let options = self.options
        let pool = OrderedWorkPool<[ArchiveItem], [ArchiveItem.Settled]>(threadCount: options.threads, window: options.threads * 4) {
            let check = ContentCheck(parameters: parameters, monitor: monitor)
            return { batch in batch.map { $0.settle(check, options) } }
        }
        if options.progressInterval > .zero { pool.heartbeatInterval = options.progressInterval.nanoseconds }
        self.pool = pool
        return pool
    }

    /// What to do about one member: items in member order (none for the archive's root).
    private func check(_ member: ArchiveMember, tick: () -> Void) throws -> [ArchiveItem] {
        let path: [UInt8]
        switch layout.map(member.name) {
        case .root:
            return []
        case .outside:
            return [Self.settled([extra(member.name, member)])]
        case .path(let mapped):
            path = mapped
        }
        try markParents(of: path)
        guard let (ordinal, expected) = try index.lookup(path) else { return [Self.settled([extra(path, member)])] }
        let firstSight = !seen[ordinal]
        seen.set(ordinal)
        var actual = TreeEntry(
            path: path, kind: member.kind, mode: member.mode,
            modificationTime: member.modificationTime ?? expected.modificationTime, size: member.size,
            symlinkTarget: member.symlinkTarget)
        if !member.hasSubsecondTime, Self.sameSecond(expected.modificationTime, actual.modificationTime.seconds) {
            // The archive keeps whole seconds (ustar, GNU, zip, cpio): compare at that precision.
            actual.modificationTime = expected.modificationTime
        }
        let metadata = EntryComparison.metadataFinding(expected, actual, options).map { [$0] } ?? []
        guard expected.kind == .file, actual.kind == .file, expected.status != .unreadable else {
            return [Self.settled(headerFindings(expected, actual) + metadata)]
        }
        if member.dataComesLater && expected.size > 0 {
            awaitingData[expected.path] = ordinal
            return [Self.settled(metadata)]
        }
        // A spot-check reads a file's chosen chunks the first time its path comes.
        let chosen = sampling == nil ? nil : (firstSight ? choose(expected) : [])
        if let target = member.hardlinkTarget, member.size == 0 {
            return [.settled(.hardLink(ArchiveItem.HardLink(
                expected: expected, ordinal: ordinal, target: target, findings: metadata, chosen: chosen)))]
        }
        if let offset = member.dataOffset {
            let target = TargetEntry(member: actual, content: .region(descriptor: descriptor, offset: offset, size: member.size))
            if chosen == nil, options.threads > 1, let split = SplitFile(expected, target) {
                return split.parts.indices.map { .positioned(.part(split, $0), ordinal: ordinal) }
            }
            return [.positioned(.matched(expected, target, sample: chosen), ordinal: ordinal)]
        }
        var outcome = ArchiveItem.Outcome()
        do {
            outcome = try streamedContent(expected, ordinal, member, chosen: chosen, tick: tick)
        } catch let broken as ArchiveReader.Damage {
            damage = broken
            return [Self.settled([Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                bytes: expected.size, detail: "the archive is damaged at byte \(broken.offset) (\(broken.message))")])]
        }
        outcome.findings += metadata
        return [.settled(.outcome(outcome))]
    }

    /// Findings that the header alone shows, for an entry whose data is not read.
    private func headerFindings(_ expected: TreeEntry, _ actual: TreeEntry) -> [Finding] {
        if expected.kind != actual.kind { return [EntryComparison.typeFinding(expected, actual)] }
        if expected.status == .unreadable {
            return [Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                bytes: expected.size, detail: "was unreadable when the manifest was made, so cannot be proven")]
        }
        if expected.kind == .symlink, expected.symlinkTarget != actual.symlinkTarget {
            return [EntryComparison.symlinkFinding(expected, actual)]
        }
        return []
    }

    private static func settled(_ findings: [Finding]) -> ArchiveItem {
        .settled(.outcome(ArchiveItem.Outcome(findings: findings)))
    }

    /// The chunks of `expected` the sample reads, counted as sampled.
    private func choose(_ expected: TreeEntry) -> [Int] {
        guard var sampling else { return [] }
        let chosen = sampling.plan.choose(expected.chunks.count)
        sampling.sampledChunks += chosen.count
        for index in chosen { sampling.sampledBytes += UInt64(expected.chunks[index].length) }
        self.sampling = sampling
        return chosen
    }

    /// Streams a file member's bytes (all of them, or up to the last chosen chunk) and
    /// compares them.
    private func streamedContent(
        _ expected: TreeEntry, _ ordinal: Int, _ member: ArchiveMember, chosen: [Int]?, tick: () -> Void
    ) throws -> ArchiveItem.Outcome {
        if !helpersStarted {
            helpersStarted = true
            helpers = members.hashHelpers(threads: options.threads)
        }
        var outcome = ArchiveItem.Outcome(checkedFile: true)
        let result: ContentCheck.Outcome
        if let chosen {
            result = try readSample(expected, chosen, size: member.size, tick: tick)
            outcome.checkedBytes = chosen.reduce(0) { $0 + UInt64(expected.chunks[$1].length) }
            outcome.matchedChunks = chosen.count - result.ranges.count
        } else {
            result = try readContent(expected, tick: tick)
            outcome.checkedBytes = expected.size
        }
        var findings = EntryComparison.contentFinding(expected, result, sampled: chosen != nil).map { [$0] } ?? []
        outcome.content = ArchiveItem.Content(
            ordinal: ordinal, path: expected.path, size: expected.size, matched: findings.isEmpty,
            proven: findings.isEmpty && (chosen.map { $0.count == expected.chunks.count } ?? true))
        // cpio: the data of a link set comes with its last member, for every name of it.
        if let target = member.hardlinkTarget, case .path(let linked) = layout.map(target),
           let linkedOrdinal = awaitingData.removeValue(forKey: linked) {
            let other = try index.entry(at: linkedOrdinal)
            let same = other.chunks.map(\.digest) == expected.chunks.map(\.digest)
            let otherResult = same ? result : ContentCheck.Outcome(
                ranges: other.size > 0 ? [Finding.ByteRange(offset: 0, length: other.size)] : [], actualSize: result.actualSize)
            if let finding = EntryComparison.contentFinding(other, otherResult, sampled: chosen != nil) {
                findings.append(finding)
            } else if chosen == nil {
                proveIntact(linkedOrdinal, other.path, size: other.size)
            }
        }
        outcome.findings = findings
        return outcome
    }

    /// Reads the current member's bytes against `expected`'s chunks, calling `tick` after
    /// every batch (so progress moves inside a large member).
    ///
    /// While they match, the bytes are taken a chunk at a time, at the manifest's lengths, and
    /// hashed in batches of up to 8 MiB (on the helpers too): no chunking, as for a file in a
    /// directory. From the first chunk that differs, the rest of the member is cut with FastCDC
    /// and its chunks matched with the manifest's (``ChunkMatch``), which finds the chunks that
    /// come back in step after an insertion or a deletion.
    private func readContent(_ expected: TreeEntry, tick: () -> Void) throws -> ContentCheck.Outcome {
        bytes.startMember()
        let chunks = expected.chunks
        var index = 0
        while index < chunks.count {
            var end = index
            var length = 0
            while end < chunks.count && (end == index || length + chunks[end].length <= bytes.capacity / 2) {
                length += chunks[end].length
                end += 1
            }
            let available = try bytes.fill(length)
            var pieces: [UnsafeRawBufferPointer] = []
            var position = 0
            for chunk in chunks[index..<end] where position + chunk.length <= available.count {
                pieces.append(UnsafeRawBufferPointer(rebasing: available[position..<(position + chunk.length)]))
                position += chunk.length
            }
            let digests = helpers?.digests(of: pieces, using: hasher) ?? pieces.map { hasher.digest(of: $0) }
            let matching = zip(digests, chunks[index..<end]).prefix { $0 == $1.digest }.count
            bytes.consume(chunks[index..<(index + matching)].reduce(0) { $0 + $1.length })
            index += matching
            tick()
            if matching < end - (index - matching) { break }
        }
        if index == chunks.count {
            // Every chunk in place: anything after them makes the file longer than recorded.
            let trailing = try bytes.skipRest()
            return ContentCheck.Outcome(ranges: [], actualSize: expected.size + trailing)
        }
        let resumed = chunks[index].offset
        var actual: [Chunk] = []
        let bytes = self.bytes
        let rest = try chunker.chunk(
            reading: { (target: UnsafeMutableRawBufferPointer) throws -> Int in try bytes.read(into: target) },
            helpers: helpers, while: { chunk in
                actual.append(chunk)
                return true
            })
        return ContentCheck.Outcome(
            ranges: ChunkMatch.differingRanges(expected: Array(chunks[index...]), actual: actual), actualSize: resumed + rest)
    }

    /// Reads the current member up to the end of its last chosen chunk, comparing the chosen
    /// chunks at their manifest offsets; the member's `size` is its header's.
    private func readSample(_ expected: TreeEntry, _ chosen: [Int], size: UInt64, tick: () -> Void) throws -> ContentCheck.Outcome {
        bytes.startMember()
        var outcome = ContentCheck.Outcome(actualSize: size)
        var position: UInt64 = 0
        for index in chosen {
            let chunk = expected.chunks[index]
            position += try bytes.pass(over: chunk.offset - position)
            let available = position == chunk.offset ? try bytes.fill(chunk.length) : UnsafeRawBufferPointer(start: nil, count: 0)
            if available.count != chunk.length || hasher.digest(of: available) != chunk.digest {
                outcome.ranges.append(Finding.ByteRange(offset: chunk.offset, length: UInt64(chunk.length)))
            }
            bytes.consume(available.count)
            position += UInt64(available.count)
            tick()
        }
        return outcome
    }

    private func proveIntact(_ ordinal: Int, _ path: [UInt8], size: UInt64) {
        guard !intact[ordinal] else { return }
        directories?.intact(path, size: size)
        report.intactFiles += 1
        report.intactBytes = report.intactBytes.saturatingAdd(size)
        intact.set(ordinal)
        matched.set(ordinal)
    }

    /// A hard link's content is the linked member's: intact when that member was, and the
    /// manifest gives both the same chunks.
    ///
    /// In a spot-check, the chunks chosen for the link are the linked member's own bytes:
    /// proven when that member was proven whole. When only its sample matched, they were not
    /// read, and are taken out of the sample's counts (no finding: nothing differs as far as
    /// anything was read).
    private func judge(_ link: ArchiveItem.HardLink) throws(SnapCheckError) -> ArchiveItem.Outcome {
        let expected = link.expected
        // The linked member's entry, when the manifest gives it this file's content.
        var linkedOrdinal: Int?
        if case .path(let target) = layout.map(link.target), let (ordinal, linked) = try index.lookup(target),
           linked.chunks.map(\.digest) == expected.chunks.map(\.digest) {
            linkedOrdinal = ordinal
        }
        let provenWhole = linkedOrdinal.map { intact[$0] } ?? false
        var outcome = ArchiveItem.Outcome()
        let chosen = link.chosen ?? []
        if provenWhole {
            outcome.matchedChunks = chosen.count
        } else if var sampling {
            sampling.sampledChunks -= chosen.count
            for index in chosen { sampling.sampledBytes -= UInt64(expected.chunks[index].length) }
            self.sampling = sampling
        }
        guard let linkedOrdinal, matched[linkedOrdinal] else {
            var finding = Finding(
                kind: .content, path: expected.path, expectedKind: .file, actualKind: .file, bytes: expected.size,
                ranges: expected.size > 0 ? [Finding.ByteRange(offset: 0, length: expected.size)] : [], sampled: sampling != nil)
            finding.detail = "a hard link to \(PathEscaping.escape(link.target)), whose content is not this file's or not intact"
            outcome.findings = [finding] + link.findings
            return outcome
        }
        outcome.content = ArchiveItem.Content(
            ordinal: link.ordinal, path: expected.path, size: expected.size, matched: true, proven: provenWhole)
        outcome.findings = link.findings
        return outcome
    }

    /// Whether `seconds` is `time` in whole seconds, cut (GNU tar) or rounded (restic's tar).
    private static func sameSecond(_ time: FileTime, _ seconds: Int64) -> Bool {
        seconds == time.seconds || (time.nanoseconds >= 500_000_000 && seconds == time.seconds &+ 1)
    }

    private func extra(_ path: [UInt8], _ member: ArchiveMember) -> Finding {
        Finding(kind: .extra, path: path, actualKind: member.kind, bytes: member.size, counts: !options.allowExtra)
    }

    /// Marks the manifest directories above `path` as present.
    private func markParents(of path: [UInt8]) throws(SnapCheckError) {
        guard let slash = path.lastIndex(of: 0x2F) else { return }
        let parent = Array(path[..<slash])
        if parent == lastParent { return }
        lastParent = parent
        var end = parent.endIndex
        while true {
            if let (ordinal, _) = try index.lookup(Array(parent[..<end])) { implied.set(ordinal) }
            guard let previous = parent[..<end].lastIndex(of: 0x2F) else { return }
            end = previous
        }
    }
}
