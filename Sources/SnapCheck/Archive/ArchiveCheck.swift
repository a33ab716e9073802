/// Verifies an archive's members against a manifest, as they come, in the order they were
/// written.
///
/// Each member is looked up in a ``ManifestIndex`` and compared as a directory entry would be
/// (``EntryComparison``): type, symlink target, metadata (at the precision the archive keeps),
/// and a regular file's bytes, streamed out of the archive once, cut with FastCDC and hashed
/// (on every core, through ``HashHelpers``), then matched with the manifest's chunks. Members
/// not in the manifest are extra; after the last member, manifest entries never seen are
/// missing, but directories that members imply (`a/b` implies `a`) are present. A hard link
/// is intact when the manifest gives it the same content as the member it links to and that
/// member was intact.
///
/// An archive that breaks off or is corrupt is a finding, not a failure: the member being read
/// is unreadable ("archive damaged at byte N"), and so is every manifest entry not reached.
struct ArchiveCheck {
    let index: ManifestIndex
    let layout: ArchiveLayout
    let options: VerifyOptions

    /// The running report, findings as they come.
    private(set) var report = VerificationReport()
    /// Manifest entries matched by a member; directories implied by members' paths; files
    /// found intact (for hard links to them).
    private var seen: Bitmap
    private var implied: Bitmap
    private var intact: Bitmap
    /// Where the archive broke off, if it did.
    private var damage: ArchiveReader.Damage?
    /// Files whose data a later member of their link set brings (cpio), by path.
    private var awaitingData: [[UInt8]: Int] = [:]
    /// Findings about such a file, found while checking the member that brought its data.
    private var pendingFindings: [Finding] = []
    /// The last directory whose ancestors were marked implied.
    private var lastParent: [UInt8] = []
    private let chunker: StreamingChunker
    private let hasher = SHA256()
    private let helpers: HashHelpers?
    private let monitor: ReadMonitor
    /// The archive's members, in order.
    private let members: ArchiveMembers
    /// The member being read (one buffer for all of them: 16 MiB, or two of the largest chunks).
    private let bytes: MemberBytes

    init(index: ManifestIndex, layout: ArchiveLayout, options: VerifyOptions, members: ArchiveMembers, monitor: ReadMonitor) {
        self.index = index
        self.layout = layout
        self.options = options
        self.monitor = monitor
        self.members = members
        seen = Bitmap(size: index.count)
        implied = Bitmap(size: index.count)
        intact = Bitmap(size: index.count)
        chunker = StreamingChunker(parameters: index.parameters)
        helpers = members.hashHelpers(threads: options.threads)
        bytes = MemberBytes(members, capacity: max(16 << 20, 2 * index.parameters.maxSize), monitor: monitor)
        report.snapshotID = index.summary.snapshotID
        report.expectedEntries = index.summary.entries
        report.expectedFiles = index.summary.files
        report.expectedBytes = index.summary.bytes
    }

    /// Stops the helpers; call once, at the end.
    func close() {
        helpers?.shutDown()
    }

    /// Reads every member, then reports what was never seen; `label` names the archive in the
    /// finding about its damage, if it is damaged.
    mutating func run(
        label: PathLabel, finding: (Finding) -> Void, progress: (VerificationProgress) -> Void
    ) throws(SnapCheckError) {
        var state = VerificationProgress()
        state.expectedFiles = index.summary.files
        state.expectedBytes = index.summary.bytes
        // Inside a large member, a report every progressInterval (between batches of chunks).
        let monitor = self.monitor
        let interval = options.progressInterval
        var lastReport = ContinuousClock.now
        func tick() {
            let now = ContinuousClock.now
            guard now - lastReport >= interval else { return }
            lastReport = now
            state.readBytes = monitor.bytesRead
            progress(state)
        }
        do {
            while let member = try members.next() {
                try monitor.willRead()
                let findings = try check(member, tick: tick) + pendingFindings
                pendingFindings = []
                for item in findings {
                    report.add(item)
                    finding(item)
                }
                if member.kind == .file {
                    state.checkedFiles += 1
                    state.checkedBytes = state.checkedBytes.saturatingAdd(member.size)
                }
                state.readBytes = monitor.bytesRead
                state.findings = report.counted + report.warnings
                progress(state)
                lastReport = ContinuousClock.now
                if damage != nil { break }
            }
        } catch let error as ArchiveReader.Damage {
            damage = error
        } catch let error as SnapCheckError {
            throw error
        } catch {
            throw SnapCheckError(.io, "\(error)")
        }
        if let damage {
            // The archive itself, whatever it held: a backup that cannot be read to its end.
            let item = Finding(
                kind: .unreadable, path: Array(label.display.utf8), bytes: 0,
                detail: "the archive is damaged at byte \(damage.offset) of its content (byte \(damage.inputOffset) of the input): \(damage.message)")
            report.add(item)
            finding(item)
        }
        // Link sets whose data never came: the files are empty where the manifest has bytes.
        for ordinal in awaitingData.values.sorted() {
            let expected = try index.entry(at: ordinal)
            let nothing = ContentCheck.Outcome(ranges: [Finding.ByteRange(offset: 0, length: expected.size)], actualSize: 0)
            if let item = judge(expected, ordinal, nothing) {
                report.add(item)
                finding(item)
            }
        }
        for ordinal in 0..<index.count where !seen[ordinal] {
            let expected = try index.entry(at: ordinal)
            let item: Finding
            if let damage {
                item = Finding(
                    kind: .unreadable, path: expected.path, expectedKind: expected.kind, bytes: expected.size,
                    detail: "not reached: the archive is damaged at byte \(damage.offset) (\(damage.message))")
            } else if expected.kind == .directory && implied[ordinal] {
                continue  // present, as the parent of members; no metadata to compare
            } else {
                item = Finding(kind: .missing, path: expected.path, expectedKind: expected.kind, bytes: expected.size)
            }
            report.add(item)
            finding(item)
        }
    }

    /// The findings about one member (reading its data when it is a file the manifest has).
    private mutating func check(_ member: ArchiveMember, tick: () -> Void) throws -> [Finding] {
        let path: [UInt8]
        switch layout.map(member.name) {
        case .root:
            return []
        case .outside:
            return [extra(member.name, member)]
        case .path(let mapped):
            path = mapped
        }
        try markParents(of: path)
        guard let (ordinal, expected) = try index.lookup(path) else { return [extra(path, member)] }
        seen.set(ordinal)
        var actual = TreeEntry(
            path: path, kind: member.kind, mode: member.mode,
            modificationTime: member.modificationTime ?? expected.modificationTime, size: member.size,
            symlinkTarget: member.symlinkTarget)
        if !member.hasSubsecondTime, Self.sameSecond(expected.modificationTime, actual.modificationTime.seconds) {
            // The archive keeps whole seconds (ustar, GNU, zip, cpio): compare at that precision.
            actual.modificationTime = expected.modificationTime
        }
        guard expected.kind == actual.kind else { return [EntryComparison.typeFinding(expected, actual)] }
        var findings: [Finding] = []
        if expected.status == .unreadable {
            findings.append(Finding(
                kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                bytes: expected.size, detail: "was unreadable when the manifest was made, so cannot be proven"))
        } else if expected.kind == .file {
            do {
                if let content = try checkContent(expected, ordinal, member, tick: tick) { findings.append(content) }
            } catch let broken as ArchiveReader.Damage {
                damage = broken
                return [Finding(
                    kind: .unreadable, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
                    bytes: expected.size, detail: "the archive is damaged at byte \(broken.offset) (\(broken.message))")]
            }
        } else if expected.kind == .symlink, expected.symlinkTarget != actual.symlinkTarget {
            findings.append(EntryComparison.symlinkFinding(expected, actual))
        }
        if let metadata = EntryComparison.metadataFinding(expected, actual, options) { findings.append(metadata) }
        return findings
    }

    /// Streams a file member's bytes and compares them; nil when intact.
    private mutating func checkContent(
        _ expected: TreeEntry, _ ordinal: Int, _ member: ArchiveMember, tick: () -> Void
    ) throws -> Finding? {
        if member.dataComesLater && expected.size > 0 {
            awaitingData[expected.path] = ordinal
            return nil
        }
        if let target = member.hardlinkTarget, member.size == 0 {
            return try checkHardLink(expected, ordinal, to: target)
        }
        let outcome = try readContent(expected, tick: tick)
        // cpio: the data of a link set comes with its last member, for every name of it.
        if let target = member.hardlinkTarget, case .path(let linked) = layout.map(target),
           let linkedOrdinal = awaitingData.removeValue(forKey: linked) {
            let other = try index.entry(at: linkedOrdinal)
            let same = other.chunks.map(\.digest) == expected.chunks.map(\.digest)
            let otherOutcome = same ? outcome : ContentCheck.Outcome(
                ranges: other.size > 0 ? [Finding.ByteRange(offset: 0, length: other.size)] : [], actualSize: outcome.actualSize)
            if let finding = judge(other, linkedOrdinal, otherOutcome) { pendingFindings.append(finding) }
        }
        return judge(expected, ordinal, outcome)
    }

    /// The content finding for `expected` given what reading it found; nil (and counted
    /// intact) when it matched.
    private mutating func judge(_ expected: TreeEntry, _ ordinal: Int, _ outcome: ContentCheck.Outcome) -> Finding? {
        if let finding = EntryComparison.contentFinding(expected, outcome, sampled: false) { return finding }
        proveIntact(expected, ordinal)
        return nil
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

    private mutating func proveIntact(_ expected: TreeEntry, _ ordinal: Int) {
        report.intactFiles += 1
        report.intactBytes = report.intactBytes.saturatingAdd(expected.size)
        intact.set(ordinal)
    }

    /// A hard link's content is the linked member's: intact when that member was, and the
    /// manifest gives both the same chunks.
    private mutating func checkHardLink(_ expected: TreeEntry, _ ordinal: Int, to name: [UInt8]) throws -> Finding? {
        guard case .path(let target) = layout.map(name), let (linkedOrdinal, linked) = try index.lookup(target),
              intact[linkedOrdinal], linked.chunks.map(\.digest) == expected.chunks.map(\.digest) else {
            var finding = Finding(
                kind: .content, path: expected.path, expectedKind: .file, actualKind: .file, bytes: expected.size,
                ranges: expected.size > 0 ? [Finding.ByteRange(offset: 0, length: expected.size)] : [])
            finding.detail = "a hard link to \(PathEscaping.escape(name)), whose content is not this file's or not intact"
            return finding
        }
        proveIntact(expected, ordinal)
        return nil
    }

    /// Whether `seconds` is `time` in whole seconds, cut (GNU tar) or rounded (restic's tar).
    private static func sameSecond(_ time: FileTime, _ seconds: Int64) -> Bool {
        seconds == time.seconds || (time.nanoseconds >= 500_000_000 && seconds == time.seconds &+ 1)
    }

    private func extra(_ path: [UInt8], _ member: ArchiveMember) -> Finding {
        Finding(kind: .extra, path: path, actualKind: member.kind, bytes: member.size, counts: !options.allowExtra)
    }

    /// Marks the manifest directories above `path` as present.
    private mutating func markParents(of path: [UInt8]) throws(SnapCheckError) {
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
