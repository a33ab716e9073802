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

/// A thread that nobody joins: it frees itself when `body` returns (`pthread_detach`).
enum DetachedThread {
    static func start(_ body: sending @escaping () -> Void) {
        let handle = ThreadHandle(body)
        handle.detach()
    }
}
