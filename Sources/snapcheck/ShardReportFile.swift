import FoundationEssentials
import SnapCheck
import SystemPackage

/// A shard's report as `verify --shard` printed it (JSON Lines), read back for `snapcheck
/// merge` with Foundation's JSON decoder.
struct ShardReportFile {
    /// The report, as the library merges it.
    var report: ShardReport
    /// The text report's title line of the check.
    var title: String
    /// The manifest and the target as the shard was given them (for `--history`).
    var manifest: String?, target: String
    /// For a spot-check: the shard's share of the sample (its ``SpotCheck/Result`` fields).
    var spotCheck: SpotCheckShare?
    /// The bytes the shard's process read, as its summary gave them.
    var processReadBytes: UInt64?

    /// A spot-check shard's share of the sample.
    struct SpotCheckShare {
        var seed: UInt64, totalChunks: Int, sampledChunks: Int, sampledBytes: UInt64, matchedChunks: Int
    }
    /// The extra summary fields of a spot-check (seed, sample, …), as printed, for the merged
    /// summary.
    var settings: [String: String] { report.settings }

    /// Reads the report at `path`.
    ///
    /// - Throws: ``SnapCheckError`` (exit 2) for an unreadable file or one that is not a
    ///   whole shard report (no summary line, a line that does not parse).
    init(path: String) throws(SnapCheckError) {
        let label = FilePath(path)
        let bytes = try Self.contents(of: label)
        var records: [ShardReport.Record] = []
        var directories: [DirectoryCoverage] = []
        var summary: Summary?
        let decoder = JSONDecoder()
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            lineNumber += 1
            func invalid(_ why: String) -> SnapCheckError {
                SnapCheckError(.invalidArgument, "not a shard report (line \(lineNumber): \(why))", path: label)
            }
            guard summary == nil else { throw invalid("a line after the summary") }
            let data = Data(line)
            do {
                switch try decoder.decode(Kind.self, from: data).type {
                case "finding": records.append(.finding(try decoder.decode(FindingLine.self, from: data).finding()))
                case "part": records.append(.part(try decoder.decode(PartLine.self, from: data).part()))
                case "directory": directories.append(try decoder.decode(DirectoryLine.self, from: data).directory())
                case "summary": summary = try decoder.decode(Summary.self, from: data)
                case let other: throw invalid("unknown line type \"\(other)\"")
                }
            } catch let error as SnapCheckError {
                throw error
            } catch {
                throw invalid("not a line snapcheck writes")
            }
        }
        guard let summary, let shardText = summary.shard, let title = summary.title, let settings = summary.settings else {
            throw SnapCheckError(.invalidArgument, "not a shard report (no shard summary line: was it cut short, or not made with --shard?)", path: label)
        }
        var totals = VerificationReport()
        totals.snapshotID = try summary.snapshot.map { (text) throws(SnapCheckError) in try Digest(parsing: text) }
        totals.expectedEntries = summary.expected_entries
        totals.expectedFiles = summary.expected_files
        totals.expectedBytes = summary.expected_bytes
        totals.intactFiles = summary.intact_files
        totals.intactBytes = summary.intact_bytes
        totals.sampled = summary.sampled
        totals.complete = summary.complete
        totals.directories = directories
        func point(_ text: String?) throws(SnapCheckError) -> ShardPoint? {
            guard let text else { return nil }
            guard let point = ShardPoint(text: text) else {
                throw SnapCheckError(.invalidArgument, "not a shard report (a malformed shard range)", path: label)
            }
            return point
        }
        report = ShardReport(
            shard: try Shard(parsing: shardText), start: try point(summary.shard_start), end: try point(summary.shard_end),
            report: totals, records: records, settings: settings)
        self.title = title
        manifest = summary.manifest
        target = summary.target ?? ""
        processReadBytes = summary.process_read_bytes
        if summary.spot_check == true {
            guard let seed = summary.seed, let total = summary.total_chunks, let sampled = summary.sampled_chunks,
                  let sampledBytes = summary.sampled_bytes, let matched = summary.matched_chunks else {
                throw SnapCheckError(.invalidArgument, "not a shard report (a spot-check summary without its sample)", path: label)
            }
            spotCheck = SpotCheckShare(seed: seed, totalChunks: total, sampledChunks: sampled, sampledBytes: sampledBytes, matchedChunks: matched)
        }
    }

    /// The whole file.
    private static func contents(of path: FilePath) throws(SnapCheckError) -> [UInt8] {
        do {
            let descriptor = try FileDescriptor.open(path, .readOnly)
            defer { try? descriptor.close() }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0) }
                if count == 0 { return bytes }
                bytes += buffer[..<count]
            }
        } catch let error as SystemPackage.Errno {
            throw SnapCheckError(.io, "cannot read the shard report", path: path, errno: error.rawValue)
        } catch {
            throw SnapCheckError(.io, "cannot read the shard report", path: path)
        }
    }

    private struct Kind: Decodable { var type: String }

    // The lines' fields, named as printed.
    // swiftlint:disable identifier_name
    private struct FindingLine: Decodable {
        var kind: String, path: String, counts: Bool, bytes: UInt64
        var expected_type: String?, actual_type: String?, ranges: [[UInt64]]?, size_change: Int64?, detail: String?, sampled: Bool?

        func finding() throws(SnapCheckError) -> Finding {
            guard let kind = Finding.Kind(rawValue: kind), let path = PathEscaping.unescape(path.utf8) else {
                throw SnapCheckError(.invalidArgument, "a finding of an unknown kind or path")
            }
            var finding = Finding(
                kind: kind, path: path, expectedKind: expected_type.flatMap(FileKind.init(rawValue:)),
                actualKind: actual_type.flatMap(FileKind.init(rawValue:)), bytes: bytes,
                ranges: (ranges ?? []).compactMap { $0.count == 2 ? Finding.ByteRange(offset: $0[0], length: $0[1]) : nil },
                sizeChange: size_change ?? 0, detail: detail ?? "", counts: counts, sampled: sampled ?? false)
            finding.errno = nil
            return finding
        }
    }

    private struct PartLine: Decodable {
        var path: String, first_chunk: Int, end_chunk: Int, chunk_count: Int, size: UInt64, intact: Bool
        var findings: [FindingLine]

        func part() throws(SnapCheckError) -> ShardPart {
            guard let path = PathEscaping.unescape(path.utf8), first_chunk >= 0, first_chunk <= end_chunk else {
                throw SnapCheckError(.invalidArgument, "a part of a file with a bad path or chunk range")
            }
            var found: [Finding] = []
            for line in findings { found.append(try line.finding()) }
            return ShardPart(
                path: path, chunks: first_chunk..<end_chunk, chunkCount: chunk_count, size: size, intact: intact, findings: found)
        }
    }

    private struct DirectoryLine: Decodable {
        var path: String, expected_files: Int, expected_bytes: UInt64, intact_files: Int, intact_bytes: UInt64
        var findings: [String: Int]

        func directory() throws(SnapCheckError) -> DirectoryCoverage {
            let text = path == "./" ? "" : String(path.dropLast())
            guard path.hasSuffix("/"), let bytes = PathEscaping.unescape(text.utf8) else {
                throw SnapCheckError(.invalidArgument, "a directory tally with a bad path")
            }
            var directory = DirectoryCoverage(path: bytes)
            directory.expectedFiles = expected_files
            directory.expectedBytes = expected_bytes
            directory.intactFiles = intact_files
            directory.intactBytes = intact_bytes
            for (name, count) in findings where count > 0 {
                guard let kind = Finding.Kind(rawValue: name) else { continue }
                directory.findings[kind] = count
            }
            return directory
        }
    }

    private struct Summary: Decodable {
        var shard: String?, title: String?, settings: [String: String]?, snapshot: String?, manifest: String?, target: String?
        var shard_start: String?, shard_end: String?
        var expected_entries: Int, expected_files: Int, expected_bytes: UInt64, intact_files: Int, intact_bytes: UInt64
        var sampled: Bool, complete: Bool
        var spot_check: Bool?, seed: UInt64?, total_chunks: Int?, sampled_chunks: Int?, sampled_bytes: UInt64?, matched_chunks: Int?
        var process_read_bytes: UInt64?
    }
    // swiftlint:enable identifier_name
}
