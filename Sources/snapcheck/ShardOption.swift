import ArgumentParser
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `--shard K/N` or `--shard auto`: do one of N byte-balanced ranges of the work (a
/// verification's manifest, a manifest's tree), for `snapcheck merge` to put back together.
struct ShardOption: ParsableArguments {
    @Option(name: .customLong("shard"), help: ArgumentHelp(
        "Do shard K of N of the work (1-based), for snapcheck merge; auto: from Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or Kubernetes (JOB_COMPLETION_INDEX, with auto/N).",
        valueName: "K/N|auto|auto/N"))
    var text: String?

    /// The shard asked for, if any, with `auto` taken from the scheduler's environment.
    ///
    /// - Throws: ``SnapCheckError`` (exit 2) for a malformed value or an environment that does
    ///   not name a shard.
    func shard() throws -> Shard? {
        guard let text else { return nil }
        guard text == "auto" || text.hasPrefix("auto/") else { return try Shard(parsing: text) }
        let given = text == "auto" ? nil : Int(text.dropFirst(5))
        if text != "auto" && given == nil {
            throw SnapCheckError(.invalidArgument, "--shard auto/N needs a number of shards, not \"\(text)\"")
        }
        return try Self.fromEnvironment(count: given) { getenv($0).map { String(cString: $0) } }
    }

    /// The shard a scheduler's environment names: a Slurm job array task, or a Kubernetes
    /// Indexed Job's completion index (whose count must be given: Kubernetes does not export
    /// it).
    static func fromEnvironment(count given: Int?, _ variable: (String) -> String?) throws -> Shard {
        func number(_ name: String) throws -> Int? {
            guard let value = variable(name) else { return nil }
            guard let number = Int(value) else {
                throw SnapCheckError(.invalidArgument, "--shard auto: \(name) is not a number (\"\(value)\")")
            }
            return number
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            // Task ids need not start at 1 (--array=0-7): the shard is the task's place in the array.
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let count = try given ?? number("SLURM_ARRAY_TASK_COUNT") else {
                throw SnapCheckError(.invalidArgument, "--shard auto: SLURM_ARRAY_TASK_COUNT is not set")
            }
            if let last = try number("SLURM_ARRAY_TASK_MAX"), last - first + 1 != count {
                throw SnapCheckError(.invalidArgument, "--shard auto: the job array must be a range of ids without gaps (--array=1-\(count))")
            }
            return try Shard(task - first + 1, of: count)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count = given else {
                throw SnapCheckError(.invalidArgument, "--shard auto: on Kubernetes give the number of completions: --shard auto/N")
            }
            return try Shard(index + 1, of: count)
        }
        throw SnapCheckError(.invalidArgument, "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
    }
}
