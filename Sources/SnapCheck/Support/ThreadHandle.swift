#if canImport(Glibc)
import Glibc
#endif

/// A thread the library owns (a pthread), started with a closure and joined once by its owner.
///
/// The closure is `sending`: what it captures is handed over to the new thread, and the
/// compiler refuses a caller that keeps using it (a race) after the thread starts.
///
/// Blocking file I/O runs on such threads, never on Swift's cooperative pool, which is only as
/// wide as the number of cores and does not grow.
final class ThreadHandle {
    private var thread = pthread_t()
    private var joined = false

    /// Starts a thread running `body`.
    init(_ body: sending @escaping () -> Void) {
        let argument = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, argument)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    /// Lets the thread free itself when it ends; ``join()`` then does nothing.
    func detach() {
        guard !joined else { return }
        joined = true
        pthread_detach(thread)
    }

    /// Waits for the thread to finish; later calls return at once.
    ///
    /// - Precondition: called from another thread than this one (a thread cannot join itself).
    func join() {
        guard !joined else { return }
        joined = true
        let result = pthread_join(thread, nil)
        precondition(result == 0, "pthread_join failed: \(result)")
    }
}

/// The closure a new thread runs, passed through pthread_create's single pointer.
private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
