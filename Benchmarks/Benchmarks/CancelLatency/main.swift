// CancelLatency: how long an async job takes to return after its task is cancelled.
//
//   swift run -c release CancelLatency verify MANIFEST TARGET [SECONDS]     (from Benchmarks/)
//   swift run -c release CancelLatency manifest TREE OUTPUT [SECONDS]
//
// Verifies TARGET against MANIFEST (or records TREE in OUTPUT) through the async API, cancels
// the task after SECONDS (default 1), and prints the time from cancel() to the task's return
// and the error. For `manifest`, it also says whether OUTPUT is as it was before the run (it
// must be: a cancelled recording leaves an existing file untouched) and whether a temporary
// file was left beside it.
import SnapCheck
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The names in `directory` that start with `prefix`.
func names(in directory: String, startingWith prefix: String) -> [String] {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var found: [String] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name.hasPrefix(prefix) { found.append(name) }
    }
    return found
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, ["verify", "manifest"].contains(arguments[1]) else {
    print("usage: CancelLatency verify MANIFEST TARGET [SECONDS] | manifest TREE OUTPUT [SECONDS]")
    exit(2)
}
let delay = arguments.count > 4 ? Double(arguments[4]) ?? 1 : 1
let recording = arguments[1] == "manifest"
let first = FilePath(arguments[2])
let second = FilePath(arguments[3])
let before = recording ? (try? FileDescriptor.open(second, .readOnly)).map { descriptor in
    defer { try? descriptor.close() }
    var info = stat()
    fstat(descriptor.rawValue, &info)
    return (info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ino)
} : nil

let task = Task { () async throws -> String in
    if recording {
        let summary = try await SnapshotBuilder.writeManifest(of: first, to: second)
        return "recorded \(summary.files) files"
    }
    let report = try await Verifier.verify(manifest: first, target: second, options: VerifyOptions(metadata: .ignore))
    return "verified: \(report.verified)"
}
try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
let cancelled = now()
task.cancel()
let outcome = await task.result
let latency = now() - cancelled
switch outcome {
case .success(let what):
    print("finished before the cancel took effect (\(what)); \(Int(latency * 1000)) ms after cancel()")
case .failure(let error):
    print("returned \(Int((latency * 1000).rounded())) ms after cancel(): \(error)")
}
if recording {
    var info = stat()
    let after = stat(second.string, &info) == 0 ? (info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ino) : nil
    let unchanged = before.map { b in after.map { $0 == b } ?? false } ?? (after == nil)
    let directory = second.removingLastComponent().isEmpty ? "." : second.removingLastComponent().string
    let leftovers = names(in: directory, startingWith: "." + (second.lastComponent?.string ?? "") + ".snapcheck-")
    print("output \(unchanged ? "untouched" : "CHANGED"); temporary files left: \(leftovers.count)")
}
