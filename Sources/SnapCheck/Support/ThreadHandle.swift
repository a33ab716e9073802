#if canImport(Glibc)
import Glibc
#endif

/// A thread the library owns (a pthread), started with a closure and joined once.
///
/// Blocking file I/O runs on such threads, never on Swift's cooperative pool, which is only as
/// wide as the number of cores and does not grow.
final class ThreadHandle: @unchecked Sendable {
    // @unchecked: `thread` is written once in init and read in join, which the owner calls once.
    private var thread = pthread_t()
    private var joined = false

    /// Starts a thread running `body`.
    init(_ body: @escaping () -> Void) {
        let argument = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, argument)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    /// Waits for the thread to finish; later calls return at once.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}

/// The closure a new thread runs, passed through pthread_create's single pointer.
private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
