#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work from async code on a thread the library owns, never on Swift's
/// cooperative pool, and turns task cancellation into a ``Cancellation`` the work looks at.
enum BlockingJob {
    /// Runs `body` on a new thread and returns its result; when the calling task is cancelled,
    /// `cancellation` is set, and the work stops at its next check with
    /// ``SnapCheckError/Code/cancelled``.
    static func run<Value: Sendable>(
        _ cancellation: Cancellation,
        _ body: @escaping @Sendable () throws(SnapCheckError) -> Value
    ) async throws(SnapCheckError) -> Value {
        if Task.isCancelled { throw SnapCheckError.cancelled }
        let result: Result<Value, SnapCheckError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DetachedThread.start {
                    do throws(SnapCheckError) {
                        continuation.resume(returning: .success(try body()))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}

extension BlockingJob {
    /// Runs `body` as ``run(_:_:)`` does with the options' own cancellation (one is made if
    /// they have none), handing it the options that carry it.
    static func run<Options: CancellableOptions, Value: Sendable>(
        _ options: Options, _ body: @escaping @Sendable (Options) throws(SnapCheckError) -> Value
    ) async throws(SnapCheckError) -> Value {
        var running = options
        let cancellation = running.cancellation ?? Cancellation()
        running.cancellation = cancellation
        let prepared = running
        return try await run(cancellation) { () throws(SnapCheckError) in try body(prepared) }
    }
}

/// Options that carry a ``Cancellation`` for the work they configure.
protocol CancellableOptions: Sendable {
    var cancellation: Cancellation? { get set }
}

extension VerifyOptions: CancellableOptions {}
extension SnapshotOptions: CancellableOptions {}

/// A thread that nobody joins: it frees itself when `body` returns (`pthread_detach`).
enum DetachedThread {
    static func start(_ body: sending @escaping () -> Void) {
        let handle = ThreadHandle(body)
        handle.detach()
    }
}
