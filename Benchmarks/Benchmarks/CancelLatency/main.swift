// CancelLatency: how long an async job takes to return after its task is cancelled.
//
//   swift run -c release CancelLatency MANIFEST TARGET [SECONDS]    (from Benchmarks/)
//
// Verifies TARGET against MANIFEST through the async API, cancels the task after SECONDS
// (default 1), and prints the time from cancel() to the task's return, and the error.
import SnapCheck

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: CancelLatency MANIFEST TARGET [SECONDS]")
    exit(2)
}
let delay = arguments.count > 3 ? Double(arguments[3]) ?? 1 : 1
let task = Task {
    try await Verifier.verify(manifest: arguments[1], target: arguments[2], options: VerifyOptions(metadata: .ignore))
}
try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
let cancelled = now()
task.cancel()
let outcome = await task.result
let latency = now() - cancelled
switch outcome {
case .success(let report):
    print("finished before the cancel took effect (verified: \(report.verified)); \(Int(latency * 1000)) ms after cancel()")
case .failure(let error):
    print("returned \(Int((latency * 1000).rounded())) ms after cancel(): \(error)")
}
