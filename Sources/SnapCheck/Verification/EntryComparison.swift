/// The findings about one entry that every way of checking a target shares: a walked tree, an
/// archive. Each compares what the manifest expects with what the target has.
enum EntryComparison {
    /// The finding for a checked file that differs; nil when every checked byte matched.
    static func contentFinding(_ expected: TreeEntry, _ result: ContentCheck.Outcome, sampled: Bool) -> Finding? {
        guard !result.ranges.isEmpty || result.actualSize != expected.size else { return nil }
        var finding = Finding(
            kind: .content, path: expected.path, expectedKind: .file, actualKind: .file, bytes: expected.size,
            ranges: result.ranges, sizeChange: Int64(bitPattern: result.actualSize &- expected.size), sampled: sampled)
        if sampled && result.ranges.isEmpty {
            finding.detail = "size differs (found by stat; no sampled chunk differs)"
        } else if expected.status == .changed {
            finding.detail = "the file was changing while the manifest was made"
        }
        return finding
    }

    /// The finding for a file that could not be opened or read.
    static func unreadableFinding(_ expected: TreeEntry, _ error: SnapCheckError) -> Finding {
        var finding = Finding(kind: .unreadable, path: expected.path, expectedKind: .file, actualKind: .file,
                              bytes: expected.size, detail: error.reason)
        finding.errno = error.errno
        return finding
    }

    /// Mode and modification time, under the metadata policy.
    static func metadataFinding(_ expected: TreeEntry, _ actual: TreeEntry, _ options: VerifyOptions) -> Finding? {
        guard options.metadata != .ignore, let change = expected.metadataChange(to: actual) else { return nil }
        var finding = Finding(
            kind: .metadata, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
            detail: change, counts: options.metadata == .strict)
        finding.metadataChange = Finding.MetadataChange(
            expectedMode: expected.mode, actualMode: actual.mode,
            expectedModificationTime: expected.modificationTime, actualModificationTime: actual.modificationTime)
        return finding
    }

    static func typeFinding(_ expected: TreeEntry, _ actual: TreeEntry) -> Finding {
        Finding(
            kind: .type, path: expected.path, expectedKind: expected.kind, actualKind: actual.kind,
            bytes: expected.size, detail: expected.typeChange(to: actual))
    }

    /// A symlink that points elsewhere.
    static func symlinkFinding(_ expected: TreeEntry, _ actual: TreeEntry) -> Finding {
        let old = PathEscaping.escape(expected.symlinkTarget ?? [])
        let new = PathEscaping.escape(actual.symlinkTarget ?? [])
        return Finding(
            kind: .symlink, path: expected.path, expectedKind: .symlink, actualKind: .symlink,
            detail: "points to \"\(new)\", expected \"\(old)\"")
    }
}
