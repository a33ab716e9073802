import ArgumentParser
import SnapCheck

/// `snapcheck diff OLD NEW`: what changed between two snapshots.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two manifests: added, removed, modified, moved, type and metadata changes.",
        discussion: "Exit status: 0 identical, 1 different, 2 trouble (a manifest missing, unreadable or invalid)."
    )

    @Argument(help: "The older manifest.")
    var old: String

    @Argument(help: "The newer manifest.")
    var new: String

    @Flag(help: "Print JSON Lines: one change per line, the last line a summary.")
    var json = false

    @Option(help: "How many changes of each kind to list in the text report.")
    var top = 20

    @OptionGroup var pin: SnapshotPin

    @Option(name: .customLong("expect-new-snapshot"), help: ArgumentHelp(
        "Refuse NEW unless its snapshot id is this one (--expect-snapshot pins OLD).", valueName: "id"))
    var expectedNew: Digest?

    func run() throws {
        var listed: [ManifestDiff.Change.Kind: [String]] = [:]
        let summary = try ManifestDiff.compare(old: argumentPath(old), new: argumentPath(new), expectedOld: pin.expected, expectedNew: expectedNew) { change in
            if json {
                Output.line(JSONLines.change(change))
            } else if listed[change.kind, default: []].count < top {
                listed[change.kind, default: []].append(Self.describe(change))
            }
        }
        if json {
            Output.line(JSONLines.summary(summary))
        } else {
            for line in Self.text(summary, listed: listed) { Output.line(line) }
        }
        if !summary.identical { throw ExitCode(1) }
    }

    static func describe(_ change: ManifestDiff.Change) -> String {
        var line = change.displayPath
        switch change.kind {
        case .moved:
            line = "\(PathEscaping.escape(change.oldPath ?? [])) -> \(change.displayPath) (\(Formatting.bytes(change.size)))"
            return line
        case .added, .removed:
            if change.entryKind == .file { line += " (\(Formatting.bytes(change.size)))" } else if change.entryKind == .directory { line += "/" }
        case .modified where change.totalChunks > 0:
            line += ": \(Formatting.count(change.changedChunks)) of \(Formatting.count(change.totalChunks)) chunks changed (\(Formatting.bytes(change.changedBytes)))"
        default:
            break
        }
        if !change.detail.isEmpty { line += (change.kind == .modified && change.totalChunks > 0 ? "; " : ": ") + change.detail }
        return line
    }

    static func text(_ summary: ManifestDiff.Summary, listed: [ManifestDiff.Change.Kind: [String]]) -> [String] {
        var lines: [String] = []
        if summary.identical {
            lines.append("IDENTICAL: \(summary.newSnapshot)")
        } else {
            let parts = ManifestDiff.Change.Kind.allCases.compactMap { kind -> String? in
                guard let count = summary.counts[kind], count > 0 else { return nil }
                return "\(Formatting.count(count)) \(kind.rawValue)"
            }
            lines.append("DIFFERENT: " + parts.joined(separator: ", "))
        }
        lines.append("old \(summary.oldSnapshot), new \(summary.newSnapshot)")
        if summary.differentChunking {
            lines.append("note: the manifests use different chunking parameters, so files are compared by whole content where that can be decided")
        }
        for kind in ManifestDiff.Change.Kind.allCases {
            guard let count = summary.counts[kind], count > 0 else { continue }
            lines.append("\(kind.rawValue): \(Formatting.count(count))")
            lines += (listed[kind] ?? []).map { "  " + $0 }
            let rest = count - (listed[kind]?.count ?? 0)
            if rest > 0 { lines.append("  … and \(Formatting.count(rest)) more (--json lists every change)") }
        }
        let estimate = summary.sharedIsEstimate ? " (estimated from a sample of chunk digests)" : ""
        lines.append("bytes: \(Formatting.bytes(summary.bytesAdded)) added, \(Formatting.bytes(summary.bytesRemoved)) removed; "
            + "\(Formatting.bytes(summary.sharedBytes)) of the new snapshot's \(Formatting.bytes(summary.newBytes)) shared with the old by chunk\(estimate)")
        return lines
    }
}
