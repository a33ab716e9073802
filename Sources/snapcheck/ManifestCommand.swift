import SystemPackage
import ArgumentParser
import SnapCheck

/// `snapcheck manifest DIR [-o FILE]`: record a tree.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Record a directory tree in a manifest: every entry, every file's chunks and their SHA-256.",
        discussion: """
            Without -o the manifest goes to stdout. With -o FILE it is written atomically \
            (FILE ending in .gz: gzip) and stdout's last line is the snapshot id. A summary goes \
            to stderr. Exit status: 0 complete, 1 complete but some entries unreadable (named \
            on stderr and recorded as unreadable), 2 failed.

            DIR may also be an archive file, or - for an archive on stdin (with -o): its \
            members are recorded without extracting it. A pax archive of a tree gives the \
            tree's own manifest and snapshot id; ustar, GNU tar, zip and cpio keep whole \
            seconds. A damaged archive is refused (exit 2).
            """
    )

    @Argument(help: "The directory to record (or an archive file, - for one on stdin).")
    var directory: String

    @OptionGroup var layout: ArchiveLayoutOptions

    @Option(name: .shortAndLong, help: "Write the manifest to FILE (gzip when it ends in .gz).")
    var output: String?

    @Option(name: .customLong("exclude"), help: "Leave out entries matching GLOB (repeatable). Without '/' it matches names, with '/' paths from the root.")
    var excludes: [String] = []

    @Flag(help: "Do not descend into other file systems (mount points are recorded as empty directories).")
    var oneFileSystem = false

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Show progress on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @Flag(name: .shortAndLong, help: "No summary on stderr (problems are still reported).")
    var quiet = false

    @OptionGroup var chunking: ChunkingOptions

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be between 1 and 256")
        }
    }

    func run() throws {
        let options = SnapshotOptions(
            chunking: try chunking.parameters(),
            walk: WalkOptions(excludes: excludes + temporaryFileExclusion(), oneFileSystem: oneFileSystem),
            threads: threads)
        let started = Clock.now()
        if let archive = try ArchiveTarget(directory) {
            try record(archive, options: options, started: started)
            return
        }
        try layout.refuseForDirectory()
        let root = argumentPath(directory)
        let writer = try output.map { try ManifestWriter(path: argumentPath($0), parameters: options.chunking, source: absolutePath(root)) }
            ?? ManifestWriter(descriptor: .standardOutput, parameters: options.chunking, source: absolutePath(root))
        let progressLine = ProgressLine.enabled(progress) ? ProgressLine() : nil
        var unique = DistinctCounter()
        try SnapshotBuilder.build(
            root: root, options: options,
            progress: progressLine.map { line in { line.update(files: $0.files, bytes: $0.readBytes, totalBytes: $0.totalBytes) } },
            problem: { failure in
                progressLine?.finish()
                Output.error(failure.description)
            },
            body: { (entry) throws(SnapCheckError) in
                for chunk in entry.chunks { unique.insert(chunk.digest) }
                try writer.append(entry)
            })
        progressLine?.finish()
        let summary = try writer.finish()
        let seconds = Clock.now() - started
        if !quiet {
            let entries = "\(Formatting.count(summary.files)) files, \(Formatting.count(summary.directories)) directories, "
                + "\(Formatting.count(summary.symlinks)) symlinks, \(Formatting.count(summary.special)) other"
            let content = "\(Formatting.bytes(summary.bytes)) in \(Formatting.count(summary.chunks)) chunks "
                + "(~\(Formatting.count(unique.estimate)) unique)"
            let speed = "\(Formatting.decimal(seconds, places: 2)) s, \(Formatting.rate(bytes: summary.bytes, seconds: seconds))"
            var problems = ""
            if summary.unreadable > 0 { problems += "; \(Formatting.count(summary.unreadable)) unreadable" }
            if summary.changed > 0 { problems += "; \(Formatting.count(summary.changed)) changed while read" }
            Output.note("snapcheck: " + entries + "; " + content + "; " + speed + problems)
        }
        if output != nil { Output.line(summary.snapshotID.description) }
        if summary.unreadable > 0 { throw ExitCode(1) }
    }

    /// Records an archive's members (to -o FILE only).
    private func record(_ archive: ArchiveTarget, options: SnapshotOptions, started: Double) throws {
        guard let output else { throw SnapCheckError(.invalidArgument, "recording an archive needs -o FILE") }
        let problem = { (failure: SnapCheckError) in Output.error(failure.description) }
        let summary = switch archive {
        case .standardInput:
            try SnapshotBuilder.writeManifest(
                ofArchiveDescriptor: .standardInput, to: argumentPath(output), layout: layout.layout, options: options, problem: problem)
        case .file(let path):
            try SnapshotBuilder.writeManifest(ofArchive: path, to: argumentPath(output), layout: layout.layout, options: options, problem: problem)
        }
        let seconds = Clock.now() - started
        if !quiet {
            Output.note("snapcheck: \(Formatting.count(summary.files)) files, \(Formatting.count(summary.directories)) directories, "
                + "\(Formatting.count(summary.symlinks)) symlinks, \(Formatting.count(summary.special)) other from the archive; "
                + "\(Formatting.bytes(summary.bytes)) in \(Formatting.count(summary.chunks)) chunks; "
                + "\(Formatting.decimal(seconds, places: 2)) s")
        }
        Output.line(summary.snapshotID.description)
    }

    /// The writer's temporary file must not be recorded when the output lies inside the tree.
    private func temporaryFileExclusion() -> [String] {
        guard let output else { return [] }
        let name = output.split(separator: "/").last.map(String.init) ?? output
        // The name is matched literally: glob characters in it are escaped.
        let literal = name.map { "*?[\\".contains($0) ? "\\\($0)" : String($0) }.joined()
        return ["." + literal + ".snapcheck-??????"]
    }
}

/// `path` made absolute against the working directory (for the manifest's `source` line).
func absolutePath(_ path: FilePath) -> FilePath {
    if path.isAbsolute { return path }
    guard let cwd = getcwd(nil, 0) else { return path }
    defer { free(cwd) }
    return FilePath(platformString: cwd).pushing(path)
}

#if canImport(Glibc)
import Glibc
#endif
