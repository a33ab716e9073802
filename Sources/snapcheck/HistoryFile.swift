import SystemPackage
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

/// `--history FILE`: one JSON line per run appended to FILE (the run's summary with its time,
/// job, command, manifest and target), which `snapcheck history FILE` turns into a table.
enum HistoryFile {
    /// Appends `line` as one write to the end of the file (created if needed) and syncs it.
    static func append(_ line: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o666)
        guard descriptor >= 0 else { throw SnapCheckError(.io, "cannot open the history", path: FilePath(path), errno: errno) }
        defer { close(descriptor) }
        // One write of the whole line: with O_APPEND it lands whole at the end, even when two
        // runs append at once.
        if case .failure(let error) = Array((line + "\n").utf8).withUnsafeBytes({ Syscall.writeAll(descriptor, $0) }) {
            throw SnapCheckError(.io, "cannot write the history", path: FilePath(path), errno: error.code)
        }
        if fsync(descriptor) != 0 && errno != EINVAL { throw SnapCheckError(.io, "cannot write the history", path: FilePath(path), errno: errno) }
    }

    /// The line for one run: the JSON summary (`summary`, without its closing brace) with
    /// `"type":"run"` and the run's context.
    static func line(summary: String, time: Double, job: String, command: String, manifest: String?, target: String) -> String {
        var object = JSONObject()
            .field("type", "run").field("time", Int64(time)).field("job", job).field("command", command)
        if let manifest { object = object.field("manifest", manifest) }
        object = object.field("target", target)
        // The summary's own fields follow, its "type" dropped.
        let body = summary.dropFirst().dropLast()
        let rest = body.hasPrefix("\"type\":\"summary\",") ? body.dropFirst("\"type\":\"summary\",".count) : body
        return String(object.text.dropLast()) + "," + rest + "}"
    }
}
