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

            --reuse PREVIOUS (with -o) takes over, unread, the chunks of every regular file \
            whose size, mtime, ctime, inode and device are what they were when PREVIOUS \
            recorded it, and writes FILE.stat beside FILE for the next run. It cannot see a \
            change that keeps all five (bit rot on the source disk); verify never reuses. \
            PREVIOUS may be FILE itself; a missing PREVIOUS or one without its .stat file \
            means every file is read (said on stderr).

            --shard K/N (with -o) records part K of N of the tree, for snapcheck merge \
            PART... -o MANIFEST, which writes the manifest a single run would (the same \
            snapshot id). The parts are balanced by bytes from --balance-by PREVIOUS, an \
            earlier manifest of the tree, or else from a walk that only examines entries.
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

    @OptionGroup var sharding: ShardOption

    @Option(name: .customLong("balance-by"), help: ArgumentHelp(
        "With --shard: cut the parts by the bytes of this earlier manifest of the tree.", valueName: "previous"))
    var balanceBy: String?

    @Option(help: ArgumentHelp(
        "Take the chunks of files unchanged since the manifest PREVIOUS (size, mtime, ctime, inode, device) without reading them.",
        valueName: "previous"))
    var reuse: String?

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
        if let shard = try sharding.shard() {
            try record(shard: shard, options: options, started: started)
            return
        }
        guard balanceBy == nil else { throw SnapCheckError(.invalidArgument, "--balance-by is for --shard") }
        if let reuse {
            try record(reusing: reuse, options: options, started: started)
            return
        }
        let root = argumentPath(directory)
        let writer = try output.map { try ManifestWriter(path: argumentPath($0), parameters: options.chunking, source: absolutePath(root)) }
            ?? ManifestWriter(descriptor: .standardOutput, parameters: options.chunking, source: absolutePath(root))
        let progressLine = ProgressLine.enabled(progress) ? ProgressLine() : nil
        var unique = DistinctCounter()
        try SnapshotBuilder.record(
            root: root, into: writer, options: options,
            progress: progressLine.map { line in { line.update(files: $0.files, bytes: $0.readBytes, totalBytes: $0.totalBytes) } },
            problem: { failure in
                progressLine?.finish()
                Output.error(failure.description)
            },
            chunkDigest: { unique.insert($0) })
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

    /// Records one part of the tree (to -o FILE only), for `snapcheck merge`.
    private func record(shard: Shard, options: SnapshotOptions, started: Double) throws {
        guard let output, reuse == nil else { throw SnapCheckError(.invalidArgument, "--shard needs -o FILE (and no --reuse)") }
        let root = argumentPath(directory)
        let progressLine = ProgressLine.enabled(progress) ? ProgressLine() : nil
        let summary = try SnapshotBuilder.writeManifestPart(
            of: absolutePath(root), to: argumentPath(output), shard: shard, balancedBy: balanceBy.map(argumentPath), options: options,
            progress: progressLine.map { line in { line.update(files: $0.files, bytes: $0.readBytes, totalBytes: nil) } },
            problem: { failure in
                progressLine?.finish()
                Output.error(failure.description)
            })
        progressLine?.finish()
        if !quiet {
            let seconds = Clock.now() - started
            Output.note("snapcheck: part \(shard): \(Formatting.count(summary.files)) files, \(Formatting.count(summary.directories)) directories, "
                + "\(Formatting.bytes(summary.bytes)); \(Formatting.decimal(seconds, places: 2)) s; merge the \(shard.count) parts with snapcheck merge PART... -o MANIFEST")
        }
        if summary.unreadable > 0 { throw ExitCode(1) }
    }

    /// Records the tree, taking unchanged files from the manifest `previous` (to -o FILE only).
    private func record(reusing previous: String, options: SnapshotOptions, started: Double) throws {
        guard let output else { throw SnapCheckError(.invalidArgument, "--reuse needs -o FILE (the next run reads FILE.stat)") }
        let root = argumentPath(directory)
        let progressLine = ProgressLine.enabled(progress) ? ProgressLine() : nil
        let outcome = try SnapshotBuilder.writeManifest(
            of: absolutePath(root), to: argumentPath(output), reusing: argumentPath(previous), options: options,
            progress: progressLine.map { line in { line.update(files: $0.files, bytes: $0.readBytes, totalBytes: $0.totalBytes) } },
            problem: { failure in
                progressLine?.finish()
                Output.error(failure.description)
            })
        progressLine?.finish()
        let summary = outcome.manifest
        if let reason = outcome.previousNotUsed {
            Output.error("--reuse: \(reason); every file was read")
        }
        if !quiet {
            let seconds = Clock.now() - started
            var line = "snapcheck: \(Formatting.count(summary.files)) files, \(Formatting.count(summary.directories)) directories, "
                + "\(Formatting.count(summary.symlinks)) symlinks, \(Formatting.count(summary.special)) other; "
                + "\(Formatting.bytes(summary.bytes)) in \(Formatting.count(summary.chunks)) chunks; "
                + "\(Formatting.decimal(seconds, places: 2)) s; "
                + "\(Formatting.count(outcome.reusedFiles)) files (\(Formatting.bytes(outcome.reusedBytes))) reused unread "
                + "(size, mtime, ctime, inode and device unchanged), \(Formatting.count(summary.files - outcome.reusedFiles)) read"
            if summary.unreadable > 0 { line += "; \(Formatting.count(summary.unreadable)) unreadable" }
            if summary.changed > 0 { line += "; \(Formatting.count(summary.changed)) changed while read" }
            Output.note(line)
        }
        Output.line(summary.snapshotID.description)
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
        // With --reuse, the side file FILE.stat is written the same way.
        return ["." + literal + ".snapcheck-??????", "." + literal + ".stat.snapcheck-??????"]
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
