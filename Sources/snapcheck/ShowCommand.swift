import ArgumentParser
import SnapCheck

/// `snapcheck show MANIFEST`: what a manifest holds, and whether it is intact.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a manifest's snapshot id, parameters, counts, largest files and duplicate content, checking its integrity.",
        discussion: """
            Reads the whole manifest and checks it (order, escapes, digests, trailer, snapshot \
            id): exit 0 when it is intact, 2 with the line and the problem when it is not.
            """
    )

    @Argument(help: "The manifest (plain or gzip; - for stdin).")
    var manifest: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "How many of the largest files and duplicate groups to list.")
    var top = 10

    func run() throws {
        let reader = try manifest == "-" ? ManifestReader(descriptor: .standardInput) : ManifestReader(path: argumentPath(manifest))
        var largest = TopList<(path: String, size: UInt64)>(capacity: top) { $0.size < $1.size }
        var duplicates = DuplicateContent()
        // Chunks are not kept: a file of a million of them would take 48 MB.
        while let (entry, identity) = try reader.nextWithContentIdentity() {
            guard entry.kind == .file, entry.status == .ok, entry.size > 0 else { continue }
            largest.insert((entry.displayPath, entry.size))
            duplicates.add(entry, contentIdentity: identity)
        }
        let summary = reader.summary!
        var (groupCount, redundantBytes, groups) = duplicates.groups(top: top)
        // Their paths from a second read of the same manifest (a stream cannot be read again).
        let pathsListed = manifest != "-"
        if pathsListed && !groups.isEmpty {
            try DuplicateContent.collectPaths(
                &groups, from: ManifestReader(path: argumentPath(manifest), expectedSnapshot: summary.snapshotID))
        }
        if json {
            let files = largest.sorted.map { JSONObject().field("path", $0.path).field("size", $0.size).text }
            let groupLines = groups.map {
                JSONObject().field("copies", $0.copies).field("size", $0.size)
                    .field("paths", raw: "[" + $0.paths.map(JSONObject.quote).joined(separator: ",") + "]").text
            }
            Output.line(JSONObject()
                .field("type", "summary").field("path", manifest).field("intact", true)
                .field("snapshot", summary.snapshotID.description)
                .field("chunking", reader.parameters.description).field("created", reader.created ?? "")
                .field("source", reader.source.map(PathEscaping.escape) ?? "")
                .field("files", summary.files).field("directories", summary.directories)
                .field("symlinks", summary.symlinks).field("special", summary.special)
                .field("bytes", summary.bytes).field("chunks", summary.chunks)
                .field("unreadable", summary.unreadable).field("changed", summary.changed)
                .field("largest", raw: "[" + files.joined(separator: ",") + "]")
                .field("duplicate_groups", groupCount).field("duplicate_bytes", redundantBytes)
                .field("duplicates", raw: "[" + groupLines.joined(separator: ",") + "]").text)
            return
        }
        Output.line("snapshot   \(summary.snapshotID)")
        Output.line("intact     yes: order, escapes, chunk sizes, trailer and snapshot id check out")
        if let created = reader.created { Output.line("created    \(created)") }
        if let source = reader.source { Output.line("source     \(PathEscaping.escape(source))") }
        Output.line("chunking   fastcdc-2020 \(reader.parameters)")
        Output.line("entries    \(Formatting.count(summary.files)) files, \(Formatting.count(summary.directories)) directories, "
            + "\(Formatting.count(summary.symlinks)) symlinks, \(Formatting.count(summary.special)) other")
        Output.line("content    \(Formatting.bytes(summary.bytes)) (\(Formatting.count(summary.bytes)) bytes) in \(Formatting.count(summary.chunks)) chunks")
        if summary.unreadable > 0 || summary.changed > 0 {
            Output.line("incomplete \(Formatting.count(summary.unreadable)) unreadable, \(Formatting.count(summary.changed)) changed while read")
        }
        if !largest.sorted.isEmpty {
            Output.line("largest files:")
            for file in largest.sorted { Output.line("  \(Formatting.bytes(file.size).padding(10))  \(file.path)") }
        }
        if groupCount == 0 {
            Output.line("duplicate content: none")
        } else {
            Output.line("duplicate content: \(groupCount == 1 ? "1 group" : "\(Formatting.count(groupCount)) groups"), \(Formatting.bytes(redundantBytes)) in extra copies")
            for group in groups {
                let paths = pathsListed ? group.paths.joined(separator: ", ") : "(paths not listed: the manifest came on stdin)"
                let more = pathsListed && group.copies > group.paths.count ? " (and \(group.copies - group.paths.count) more)" : ""
                Output.line("  \(group.copies) × \(Formatting.bytes(group.size)): " + paths + more)
            }
        }
    }
}

/// The `capacity` largest elements seen, by `isSmaller`.
struct TopList<Element> {
    let capacity: Int
    let isSmaller: (Element, Element) -> Bool
    private(set) var elements: [Element] = []

    init(capacity: Int, isSmaller: @escaping (Element, Element) -> Bool) {
        self.capacity = max(0, capacity)
        self.isSmaller = isSmaller
    }

    mutating func insert(_ element: Element) {
        guard capacity > 0 else { return }
        if elements.count < capacity {
            elements.append(element)
        } else if let smallest = elements.indices.min(by: { isSmaller(elements[$0], elements[$1]) }),
                  isSmaller(elements[smallest], element) {
            elements[smallest] = element
        }
    }

    /// Largest first.
    var sorted: [Element] { elements.sorted { isSmaller($1, $0) } }
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
