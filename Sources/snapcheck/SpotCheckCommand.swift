import ArgumentParser
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `snapcheck spot-check MANIFEST TARGET`: is this backup probably intact, in a minute?
struct SpotCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spot-check",
        abstract: "Check every entry of TARGET but read only a random sample of its chunks, and say what that proves.",
        discussion: """
            Existence, type, symlink targets and sizes are checked for every entry; content for \
            a uniform random sample of chunks (default 1%), chosen from a seed. Without --seed \
            a seed is picked and printed, so the same check can be repeated exactly. Exit status \
            as for verify.

            TARGET may be an archive that can be read at any place: an uncompressed tar (chosen \
            chunks are read where they lie, everything else is sought past) or a zip. An \
            archive compressed as a whole (tar.gz, tar.zst, …) or one on stdin is refused (exit \
            2): use verify, which reads it once.
            """
    )

    @Argument(help: "The manifest (plain or gzip).")
    var manifest: String

    @Argument(help: "The directory, or uncompressed tar or zip file, to check.")
    var target: String

    @OptionGroup var layout: ArchiveLayoutOptions

    @Option(help: "Share of the chunks to read, e.g. 1% or 0.5% (default 1%).")
    var sample: Percentage?

    @Option(help: "Number of chunks to read.")
    var chunks: Int?

    @Option(help: "About this many bytes to read (K, M, G suffixes).")
    var bytes: ByteSize?

    @Option(help: "The seed that chooses the sample (default: random, printed).")
    var seed: UInt64?

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var pin: SnapshotPin

    @OptionGroup var state: StateOptions

    @OptionGroup var sharding: ShardOption

    func validate() throws {
        if [sample != nil, chunks != nil, bytes != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give only one of --sample, --chunks and --bytes")
        }
        // A sample that reads nothing proves nothing: refuse it rather than report on it.
        if let sample, sample.fraction <= 0 { throw ValidationError("--sample must be more than 0%") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be at least 1") }
        if let bytes, bytes.bytes < 1 { throw ValidationError("--bytes must be at least 1") }
    }

    func run() throws {
        let size: SpotCheck.Sample =
            chunks.map { .chunks($0) } ?? bytes.map { .bytes(UInt64($0.bytes)) } ?? .fraction(sample?.fraction ?? 0.01)
        let archive = try ArchiveTarget(target)
        if case .standardInput? = archive {
            throw SnapCheckError(
                .invalidArgument,
                "a spot-check reads chunks at chosen places and cannot on standard input; verify reads an archive stream once, whole")
        }
        if archive != nil, state.path != nil {
            throw SnapCheckError(.invalidArgument, "--state is for directories, not archives")
        }
        if archive == nil { try layout.refuseForDirectory() }
        var options = reporting.verifyOptions
        options.expectedSnapshot = pin.expected
        if let shard = try sharding.shard() {
            guard archive == nil, state.path == nil else {
                throw SnapCheckError(.invalidArgument, "--shard needs a directory to check (no --state)")
            }
            guard let seed else {
                throw SnapCheckError(.invalidArgument, "--shard needs --seed N, the same for every shard, so that they share one sample")
            }
            try ShardOutput.run(
                reporting: reporting, command: "spot-check",
                title: "manifest \(Formatting.argument(manifest)), target \(Formatting.argument(self.target)) (spot-check)",
                manifest: manifest, target: self.target, settings: ["sample": "\(size)", "seed": String(seed)]
            ) { progress, finding, _ in
                let outcome = try SpotCheck.run(
                    manifest: argumentPath(manifest), target: argumentPath(self.target), shard: shard, sample: size, seed: seed,
                    options: options, finding: finding, progress: progress)
                return ShardOutput.Checked(range: outcome.range, report: outcome.result.report) { object in
                    JSONLines.spotCheckFields(outcome.result)(object).field("process_read_bytes", ProcessIO.readBytes())
                }
            }
            return
        }
        var result: SpotCheck.Result?
        // A state is about one target: made absolute, so `cd` does not change which.
        let rolling = try state.rolling()
        let targetPath = state.path == nil ? argumentPath(self.target) : absolutePath(argumentPath(self.target))
        let target = state.path == nil ? self.target : targetPath.description
        try reporting.report(
            title: "manifest \(Formatting.argument(manifest)), target \(Formatting.argument(target)) (spot-check)",
            command: "spot-check", manifest: manifest, target: target,
            verdict: { _ in Self.verdict(result!) },
            coverage: { _ in Self.statement(result!) },
            rollingCoverage: { result?.coverage },
            run: { progress, finding in
                if case .file(let path)? = archive {
                    let outcome = try SpotCheck.run(
                        manifest: argumentPath(manifest), archive: path, layout: layout.layout, sample: size, seed: seed,
                        options: options, finding: finding, progress: progress)
                    result = outcome
                    return outcome.report
                }
                let outcome = try SpotCheck.run(
                    manifest: argumentPath(manifest), target: targetPath, sample: size, seed: seed,
                    options: options, rolling: rolling, finding: finding, progress: progress)
                try state.save(outcome.state, discarded: outcome.stateDiscarded)
                result = outcome
                return outcome.report
            },
            summaryExtra: { object in
                JSONLines.spotCheckFields(result!)(object).field("process_read_bytes", ProcessIO.readBytes())
            })
    }

    /// The first line when the sample found nothing but did not read everything; nil keeps
    /// the usual VERIFIED / NOT VERIFIED line.
    static func verdict(_ result: SpotCheck.Result) -> String? {
        guard result.verdict == .noDamageFoundInSample else { return nil }
        return "NO DAMAGE FOUND in a \(percent(result.singleChunkDetectionProbability)) sample "
            + "(\(Formatting.count(result.sampledChunks)) of \(Formatting.count(result.totalChunks)) chunks, "
            + "\(Formatting.bytes(result.sampledBytes)) of \(Formatting.bytes(result.report.expectedBytes)) read); "
            + "structure complete; not a full verification"
    }


    /// What the sample proved, in words.
    static func statement(_ result: SpotCheck.Result) -> [String] {
        let total = result.totalChunks
        var lines = [
            "sample: read \(Formatting.count(result.sampledChunks)) of \(Formatting.count(total)) chunks "
                + "(\(Formatting.bytes(result.sampledBytes)) of \(Formatting.bytes(result.report.expectedBytes))); "
                + "seed \(result.seed) (repeat with --seed \(result.seed))",
            "  a single damaged chunk would have been caught with probability \(percent(result.singleChunkDetectionProbability)) "
                + "(the share of chunks read)",
        ]
        for fraction in [0.001, 0.01] {
            let probability = result.detectionProbability(damagedFraction: fraction)
            let damaged = max(1, Int((fraction * Double(total)).rounded(.up)))
            lines.append("  if \(fraction == 0.001 ? "0.1" : "1")% or more of all chunks (\(Formatting.count(damaged)) or more) "
                + "were damaged, it would have been caught with probability \(Self.percent(probability))")
        }
        lines.append("  every entry was examined: missing, extra, type, symlink and size findings are complete")
        if !result.report.complete {
            lines.append("  chunks not in the sample were not read and are not proven; snapcheck verify reads every byte")
        }
        if let coverage = result.coverage { lines += Self.rollingStatement(coverage) }
        return lines
    }

    /// The rolling coverage, in words.
    static func rollingStatement(_ coverage: SpotCheck.Coverage) -> [String] {
        let days = Double(coverage.window) / 86_400
        var lines = [
            "rolling coverage: \(percent(coverage.chunkShare)) of chunks (\(Formatting.count(coverage.provenChunks)) of "
                + "\(Formatting.count(coverage.totalChunks))) and \(percent(coverage.byteShare)) of bytes (\(Formatting.bytes(coverage.provenBytes)) of "
                + "\(Formatting.bytes(coverage.totalBytes))) proven within the last \(Formatting.decimal(days, places: days.rounded() == days ? 0 : 1)) days",
        ]
        switch coverage.runsToFullCoverage {
        case 0?: lines.append("  every chunk is proven within the window")
        case let runs?: lines.append("  \(Formatting.count(runs)) more \(runs == 1 ? "run" : "runs") of this size prove the rest")
        case nil: break
        }
        if let oldest = coverage.oldestProof, let expires = coverage.oldestProofExpires {
            lines.append("  the oldest proof (\(FileTime(seconds: Int64(oldest)).description.prefix(19))Z) stops counting at "
                + "\(FileTime(seconds: Int64(expires)).description.prefix(19))Z")
        }
        return lines
    }

    /// The rolling coverage as JSON summary fields.
    /// A probability as a percentage, rounded down (never overstated), with enough decimals to
    /// show the first digit in which it falls short of 100%: 0.9999995 is "99.99995%".
    static func percent(_ probability: Double) -> String {
        let miss = 1 - probability
        if miss <= 0 { return "100%" }
        let places = min(12, max(1, Int((-log10(miss * 100)).rounded(.up)) + 1))
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        var text = Formatting.decimal((probability * 100 * factor).rounded(.down) / factor, places: places)
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        return text + "%"
    }
}

/// A percentage on the command line: `1%`, `0.5%` or `1`.
struct Percentage: ExpressibleByArgument {
    /// The share, 0 ... 1.
    var fraction: Double

    init?(argument: String) {
        let number = argument.hasSuffix("%") ? String(argument.dropLast()) : argument
        guard let value = Double(number), value >= 0, value <= 100 else { return nil }
        fraction = value / 100
    }
}
