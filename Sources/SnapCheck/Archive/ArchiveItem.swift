/// One archive member's check on its way to the report, in member order: judged on the thread
/// that reads the headers, or by a worker that reads the member's data in place.
enum ArchiveItem: Sendable {
    /// Nothing left for a worker to do.
    case settled(Settled)
    /// A regular file whose data a worker reads where it lies in the archive file
    /// (``ContentLocation/region(descriptor:offset:size:)``), for the manifest entry `ordinal`.
    case positioned(VerifyItem, ordinal: Int)

    /// What reaches the report, in member order.
    enum Settled: Sendable {
        /// The member's findings, and what it proved.
        case outcome(Outcome)
        /// A hard link: its content is that of the member it links to, so it is judged once
        /// every member before it has been.
        case hardLink(HardLink)
    }

    /// What checking one member found and proved.
    struct Outcome: Sendable {
        var findings: [Finding] = []
        /// For a regular file whose content was checked: how it came out.
        var content: Content?
        /// Whether a regular file's content was checked (in full, or its sample).
        var checkedFile = false
        /// The bytes checked.
        var checkedBytes: UInt64 = 0
        /// For a spot-check: the chosen chunks that were read and matched.
        var matchedChunks = 0
    }

    /// How the content of a regular file came out.
    struct Content: Sendable {
        /// Its manifest entry: number, path and size.
        var ordinal: Int
        var path: [UInt8]
        var size: UInt64
        /// Whether every byte read matched.
        var matched: Bool
        /// Whether that was every byte: the file is intact.
        var proven: Bool
    }

    /// A hard-link member: the manifest's entry for it, and the member it links to.
    struct HardLink: Sendable {
        var expected: TreeEntry
        var ordinal: Int
        /// The linked member's name, as stored.
        var target: [UInt8]
        /// Findings from its header (metadata), reported after the content's.
        var findings: [Finding]
        /// For a spot-check: the chunks the sample chose for it.
        var chosen: [Int]?
    }

    /// Reads a positioned member's data with `check` (on a worker thread); anything else is
    /// passed on as it is.
    func settle(_ check: ContentCheck, _ options: VerifyOptions) -> Settled {
        switch self {
        case .settled(let settled):
            return settled
        case .positioned(let item, let ordinal):
            let result = item.evaluate(check, options)
            var outcome = Outcome(findings: result.findings, checkedFile: result.checkedFile, checkedBytes: result.checkedBytes)
            if result.checkedFile {
                let matched = !result.findings.contains { $0.kind == .content || $0.kind == .unreadable }
                outcome.content = Content(
                    ordinal: ordinal, path: item.path, size: item.expectedSize, matched: matched, proven: result.intactBytes != nil)
            }
            if let (entry, chunks) = result.proven { outcome.matchedChunks = chunks.count(of: entry) }
            return .outcome(outcome)
        }
    }

    /// The bytes a worker reads for it (for batching).
    var weight: UInt64 {
        if case .positioned(let item, _) = self { return item.expectedFileBytes }
        return 0
    }

    /// The path it is about, for progress reports.
    var path: [UInt8]? {
        if case .positioned(let item, _) = self { return item.path }
        return nil
    }
}
