import SnapCheck

/// The plain-language report: a verdict line first, then findings grouped by kind and by
/// topmost directory, then coverage.
///
/// Findings arrive as a stream; what the report keeps is bounded: counts and bytes per kind and
/// per topmost directory (at most `groupLimit` groups per kind, the rest summed up), and the
/// first `detailLimit` findings of each kind with their details.
struct TextReport {
    private struct Group {
        /// The first `namedLimit` entries of the group, with their sizes.
        var named: [(path: String, bytes: UInt64)] = []
        var count = 0
        var bytes: UInt64 = 0
        var counts = true
    }

    private let groupLimit = 1000
    private let detailLimit = 20
    private let namedLimit = 5
    private var groups: [Finding.Kind: [String: Group]] = [:]
    private var groupOrder: [Finding.Kind: [String]] = [:]
    private var overflow: [Finding.Kind: Group] = [:]
    private var details: [Finding.Kind: [String]] = [:]
    private var files: [Finding.Kind: Int] = [:]
    private var sampled = false

    /// Takes one finding.
    mutating func add(_ finding: Finding) {
        let key = Self.topmost(finding)
        if finding.expectedKind == .file || finding.actualKind == .file { files[finding.kind, default: 0] += 1 }
        if groups[finding.kind]?[key] == nil && (groups[finding.kind]?.count ?? 0) >= groupLimit {
            overflow[finding.kind, default: Group()].count += 1
            overflow[finding.kind, default: Group()].bytes = overflow[finding.kind, default: Group()].bytes.saturatingAdd(finding.bytes)
        } else {
            if groups[finding.kind]?[key] == nil { groupOrder[finding.kind, default: []].append(key) }
            var group = groups[finding.kind]?[key] ?? Group()
            if group.named.count < namedLimit { group.named.append((finding.displayPath, finding.bytes)) }
            group.count += 1
            group.bytes = group.bytes.saturatingAdd(finding.bytes)
            group.counts = finding.counts
            groups[finding.kind, default: [:]][key] = group
        }
        if finding.kind != .missing && finding.kind != .extra, details[finding.kind, default: []].count < detailLimit {
            sampled = sampled || finding.sampled
            details[finding.kind, default: []].append(Self.detailLine(finding))
        }
    }

    /// The report's lines.
    func lines(_ report: VerificationReport, title: String) -> [String] {
        var lines = [verdict(report)]
        lines.append(title)
        for kind in Finding.Kind.allCases {
            guard let tally = report.byKind[kind], tally.count > 0 else { continue }
            let counting = groups[kind]?.values.contains { $0.counts } ?? true
            var heading = "\(kind.rawValue): \(Formatting.count(tally.count)) \(tally.count == 1 ? "entry" : "entries")"
            if kind == .content {
                heading += " (files of \(Formatting.bytes(tally.bytes)); \(Self.damagedChunks(tally)))"
            } else if tally.bytes > 0 {
                heading += ", \(Formatting.bytes(tally.bytes))"
            }
            if !counting { heading += " (warning: does not count)" }
            if kind == .content && sampled { heading += " (found in the sample; unsampled chunks were not read)" }
            lines.append(heading)
            if kind == .missing || kind == .extra {
                for key in (groupOrder[kind] ?? []).prefix(detailLimit) {
                    let group = groups[kind]![key]!
                    func named(_ entry: (path: String, bytes: UInt64), indent: String) -> String {
                        indent + entry.path + (entry.bytes > 0 ? " (\(Formatting.bytes(entry.bytes)))" : "")
                    }
                    if group.count == 1 {
                        lines.append(named(group.named[0], indent: "  "))
                        continue
                    }
                    // A directory's worth: say how much, then name the first entries.
                    var line = "  \(key) — \(Formatting.count(group.count)) entries"
                    if group.bytes > 0 { line += ", \(Formatting.bytes(group.bytes))" }
                    lines.append(line)
                    lines += group.named.map { named($0, indent: "    ") }
                    if group.count > group.named.count {
                        lines.append("    … and \(Formatting.count(group.count - group.named.count)) more")
                    }
                }
                let shown = min(detailLimit, groupOrder[kind]?.count ?? 0)
                let rest = (groupOrder[kind]?.count ?? 0) - shown + (overflow[kind] == nil ? 0 : 1)
                if rest > 0 { lines.append("  … and \(Formatting.count(rest)) more places (--json lists every entry)") }
            } else {
                lines += (details[kind] ?? []).map { "  " + $0 }
                let rest = tally.count - (details[kind]?.count ?? 0)
                if rest > 0 { lines.append("  … and \(Formatting.count(rest)) more (--json lists every entry)") }
            }
        }
        lines.append(coverage(report))
        return lines
    }

    /// "VERIFIED: …" or "NOT VERIFIED: …".
    func verdict(_ report: VerificationReport) -> String {
        if report.verified {
            let files = report.expectedFiles == 1 ? "1 file" : "\(Formatting.count(report.expectedFiles)) files"
            var line = "VERIFIED: \(files), \(Formatting.bytes(report.expectedBytes)), byte-for-byte"
            if report.warnings > 0 { line += " (\(Formatting.count(report.warnings)) \(report.warnings == 1 ? "warning" : "warnings"))" }
            return line
        }
        var parts: [String] = []
        func part(_ kind: Finding.Kind, _ words: String, withBytes: Bool = false) {
            guard let tally = report.byKind[kind], tally.count > 0,
                  groups[kind]?.values.contains(where: { $0.counts }) ?? true else { return }
            let allFiles = files[kind, default: 0] == tally.count
            var text = "\(Formatting.count(tally.count)) \(allFiles ? (tally.count == 1 ? "file" : "files") : (tally.count == 1 ? "entry" : "entries")) \(words)"
            if withBytes && tally.bytes > 0 { text += " (\(Formatting.bytes(tally.bytes)))" }
            parts.append(text)
        }
        part(.missing, "missing", withBytes: true)
        part(.content, "damaged")
        if let tally = report.byKind[.content], tally.count > 0, !parts.isEmpty, parts.last!.hasSuffix(" damaged") {
            // The damaged chunks' bytes first; the files' size only when it says more.
            let files = tally.differingBytes == tally.bytes ? "" : ", in files of \(Formatting.bytes(tally.bytes))"
            parts[parts.count - 1] += " (\(Self.damagedChunks(tally))\(files))"
        }
        part(.type, "changed type")
        part(.symlink, "pointing elsewhere")
        part(.unreadable, "unreadable")
        part(.extra, "extra", withBytes: true)
        part(.metadata, "with changed metadata")
        return "NOT VERIFIED: " + parts.joined(separator: ", ")
    }

    private func coverage(_ report: VerificationReport) -> String {
        "coverage: \(percent(report.fileCoverage)) of files (\(Formatting.count(report.intactFiles)) of "
            + "\(Formatting.count(report.expectedFiles))) and \(percent(report.byteCoverage)) of bytes "
            + "(\(Formatting.bytes(report.intactBytes)) of \(Formatting.bytes(report.expectedBytes))) proven intact"
    }

    private func percent(_ share: Double) -> String {
        // Never round a shortfall up to 100%.
        let tenths = (share * 1000).rounded(.down) / 10
        return Formatting.decimal(tenths, places: 1) + "%"
    }

    /// The first path component, with `/` when more follows or the entry is a directory.
    private static func topmost(_ finding: Finding) -> String {
        let path = finding.displayPath
        if let slash = path.firstIndex(of: "/") { return String(path[...slash]) }
        let isDirectory = (finding.expectedKind ?? finding.actualKind) == .directory
        return path + (isDirectory ? "/" : "")
    }

    private static func detailLine(_ finding: Finding) -> String {
        var line = finding.displayPath
        switch finding.kind {
        case .content where finding.ranges.isEmpty:
            break
        case .content:
            let merged = Self.merged(finding.ranges)
            let described = merged.prefix(5).map { range in
                range.length == 0 ? "bytes added at \(Formatting.count(range.offset))"
                    : "bytes \(Formatting.count(range.offset))–\(Formatting.count(range.offset + range.length - 1))"
            }
            let damaged = finding.ranges.count { $0.length > 0 }
            line += ": damaged \(damaged == 1 ? "chunk at" : "chunks at") " + described.joined(separator: ", ")
            if merged.count > 5 { line += ", … (\(merged.count) ranges)" }
            line += " (\(Formatting.bytes(finding.differingBytes)) in \(Self.chunks(damaged)); the differences lie within, not necessarily in every byte)"
        default:
            break
        }
        if finding.kind == .content && finding.sizeChange != 0 {
            let sign = finding.sizeChange > 0 ? "+" : "-"
            line += (finding.ranges.isEmpty ? ": " : "; ") + "size \(sign)\(Formatting.bytes(finding.sizeChange.magnitude))"
        }
        if !finding.detail.isEmpty { line += finding.kind == .content ? "; " + finding.detail : ": " + finding.detail }
        return line
    }

    private static func chunks(_ count: Int) -> String { count == 1 ? "1 chunk" : "\(Formatting.count(count)) chunks" }

    /// "2.37 MB in 1 damaged chunk", or "sizes differ" when no chunk was found to differ.
    private static func damagedChunks(_ tally: VerificationReport.Tally) -> String {
        guard tally.differingChunks > 0 else { return "sizes differ" }
        return "\(Formatting.bytes(tally.differingBytes)) in \(tally.differingChunks) damaged \(tally.differingChunks == 1 ? "chunk" : "chunks")"
    }

    /// "by directory:" and a line per directory (at most 20), findings first.
    static func directoryLines(_ directories: [DirectoryCoverage]) -> [String] {
        guard !directories.isEmpty else { return [] }
        let shown = directories.filter { !$0.findings.isEmpty } + directories.filter { $0.findings.isEmpty }
        var lines = ["by directory:"]
        for directory in shown.prefix(20) {
            var line = "  \(directory.displayPath) — \(Formatting.count(directory.intactFiles)) of \(Formatting.count(directory.expectedFiles)) "
                + "\(directory.expectedFiles == 1 ? "file" : "files") proven intact"
            if directory.expectedFiles > 0 {
                line += " (\(Formatting.bytes(directory.intactBytes)) of \(Formatting.bytes(directory.expectedBytes)))"
            }
            let findings = Finding.Kind.allCases.compactMap { kind in directory.findings[kind].map { "\(Formatting.count($0)) \(kind.rawValue)" } }
            if !findings.isEmpty { line += "; " + findings.joined(separator: ", ") }
            if let window = directory.window, window.chunks > 0 {
                line += "; \(Formatting.count(window.provenChunks)) of \(Formatting.count(window.chunks)) chunks proven within the window"
            }
            lines.append(line)
        }
        if shown.count > 20 { lines.append("  … and \(Formatting.count(shown.count - 20)) more directories (--json --by-dir lists every one)") }
        return lines
    }

    /// Neighbouring ranges joined.
    static func merged(_ ranges: [Finding.ByteRange]) -> [Finding.ByteRange] {
        var result: [Finding.ByteRange] = []
        for range in ranges {
            if let last = result.last, last.length > 0, range.length > 0, last.offset + last.length == range.offset {
                result[result.count - 1].length += range.length
            } else {
                result.append(range)
            }
        }
        return result
    }
}
