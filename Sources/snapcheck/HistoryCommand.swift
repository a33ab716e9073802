import SystemPackage
import ArgumentParser
import SnapCheck

/// `snapcheck history FILE`: the runs recorded with `--history FILE`, as a table, so a person
/// sees at a glance when a backup stopped being proven.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the runs recorded with --history FILE: verdict, coverage and findings, and when each job last verified.",
        discussion: "Exit status: 0 when the newest run of every job passed, 1 when one did not, 2 when FILE cannot be read."
    )

    @Argument(help: "The history file (JSON Lines written by --history).")
    var file: String

    @Option(help: "Show only the newest N runs (default: all).")
    var last: Int?

    /// One recorded run.
    struct Run {
        var time: Int64
        var job: String
        var command: String
        var verified: Bool
        var sampled: Bool
        var counted: Int
        var warnings: Int
        var coverage: Double
        var rollingCoverage: Double?
        var kinds: [(String, Int)]

        var passed: Bool { counted == 0 }
        var verdict: String { verified ? "VERIFIED" : passed ? (sampled ? "NO DAMAGE FOUND" : "PASSED") : "NOT VERIFIED" }
    }

    func run() throws {
        var runs: [Run] = []
        let lines = try readLines(file)
        for (number, line) in lines.enumerated() where !line.isEmpty {
            guard let run = Self.parse(line) else {
                throw SnapCheckError(.invalidArgument, "line \(number + 1) is not a run recorded by --history", path: FilePath(file))
            }
            runs.append(run)
        }
        let shown = last.map { Array(runs.suffix(max(0, $0))) } ?? runs
        Output.line("time (UTC)            job              command     verdict           coverage   findings")
        var previous: [String: Double] = [:]
        for run in runs.prefix(runs.count - shown.count) { previous[run.job] = run.rollingCoverage ?? run.coverage }
        for run in shown {
            let coverage = run.rollingCoverage ?? run.coverage
            var trend = " "
            if let before = previous[run.job] { trend = coverage < before ? "↓" : coverage > before ? "↑" : "=" }
            previous[run.job] = coverage
            let counted = run.kinds.filter { $0.1 > 0 && $0.0 != "metadata" }.map { "\(Formatting.count($0.1)) \($0.0)" }
            let findings = run.counted == 0 ? (run.warnings > 0 ? "0 (\(run.warnings) warnings)" : "0")
                : "\(Formatting.count(run.counted)) (\(counted.joined(separator: ", ")))"
            let share = Formatting.decimal((coverage * 1000).rounded(.down) / 10, places: 1) + "%" + (run.rollingCoverage == nil ? "" : " r")
            Output.line([
                Self.utc(run.time) + " ", pad(Formatting.argument(run.job), 16), pad(run.command, 11), pad(run.verdict, 17),
                pad(share + " " + trend, 10), findings + (run.passed ? "" : "   <-- not proven"),
            ].joined(separator: " "))
        }
        if shown.contains(where: { $0.rollingCoverage != nil }) {
            Output.line("(r: a rolling spot-check's coverage within its window; ↑ ↓ = against the job's run before)")
        }
        var failing = false
        for job in Self.jobs(runs) {
            let jobRuns = runs.filter { $0.job == job }
            let newest = jobRuns.last!
            failing = failing || !newest.passed
            if let index = jobRuns.lastIndex(where: \.verified) {
                let ago = jobRuns.count - 1 - index
                Output.line("\(Formatting.argument(job)): last verified \(Self.utc(jobRuns[index].time))"
                    + (ago == 0 ? " (the newest run)" : " (\(ago) \(ago == 1 ? "run" : "runs") ago)"))
            } else {
                Output.line("\(Formatting.argument(job)): never verified in this history")
            }
        }
        if failing { throw ExitCode(1) }
    }

    private func pad(_ text: String, _ width: Int) -> String { text.padding(width) }

    /// `YYYY-MM-DDTHH:MM:SSZ`
    private static func utc(_ seconds: Int64) -> String { FileTime(seconds: seconds).description.prefix(19) + "Z" }

    private static func jobs(_ runs: [Run]) -> [String] {
        var seen: [String] = []
        for run in runs where !seen.contains(run.job) { seen.append(run.job) }
        return seen
    }

    /// A run from its JSON line (the fields `--history` writes; keys are unique in it).
    static func parse(_ line: Substring) -> Run? {
        func raw(_ key: String) -> Substring? {
            guard let start = line.firstRange(of: "\"\(key)\":") else { return nil }
            let rest = line[start.upperBound...]
            if rest.first == "\"" {
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex && rest[index] != "\"" {
                    if rest[index] == "\\" { index = rest.index(after: index) }
                    index = rest.index(after: index)
                }
                return rest[rest.index(after: rest.startIndex)..<min(index, rest.endIndex)]
            }
            return rest.prefix { $0 != "," && $0 != "}" }
        }
        guard line.hasPrefix("{\"type\":\"run\""), let time = raw("time").flatMap({ Int64($0) }),
              let job = raw("job"), let command = raw("command"),
              let verified = raw("verified"), let counted = raw("counted").flatMap({ Int($0) }),
              let coverage = raw("byte_coverage").flatMap({ Double($0) }) else { return nil }
        let kinds = Finding.Kind.allCases.map { kind in
            (kind.rawValue, line.firstRange(of: "\"\(kind.rawValue)\":{\"count\":").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } ?? 0)
        }
        return Run(
            time: time, job: unescape(job), command: String(command), verified: verified == "true",
            sampled: raw("sampled") == "true", counted: counted, warnings: raw("warnings").flatMap { Int($0) } ?? 0,
            coverage: coverage, rollingCoverage: raw("rolling_byte_coverage").flatMap { Double($0) }, kinds: kinds)
    }

    /// A JSON string's text without its escapes (\" \\ \n \t \uXXXX).
    private static func unescape(_ text: Substring) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            guard character == "\\", index < text.endIndex else { result.append(character); continue }
            let escaped = text[index]
            index = text.index(after: index)
            switch escaped {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            case "u":
                let hex = text[index...].prefix(4)
                index = text.index(index, offsetBy: hex.count)
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { result.unicodeScalars.append(scalar) }
            default: result.append(escaped)
            }
        }
        return result
    }

    private func readLines(_ path: String) throws -> [Substring] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SnapCheckError(.io, "cannot open the history", path: FilePath(path), errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw SnapCheckError(.io, "cannot read the history", path: FilePath(path), errno: errno) }
            if count == 0 { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    }
}

#if canImport(Glibc)
import Glibc
#endif
