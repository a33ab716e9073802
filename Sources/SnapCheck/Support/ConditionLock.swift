#if canImport(Glibc)
import Glibc
#endif

/// A mutex with one condition variable (pthreads), for the few places where threads must wait
/// for each other: `Synchronization.Mutex` has no way to wait.
final class ConditionLock: @unchecked Sendable {
    // @unchecked: the pthread objects live at stable heap addresses for the object's lifetime
    // and are only touched through pthread calls, which do their own synchronisation.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` holding the lock.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits, inside ``withLock(_:)``, until `ready()` holds; the lock is released while waiting.
    func wait(until ready: () -> Bool) {
        while !ready() { pthread_cond_wait(condition, mutex) }
    }

    /// Wakes every waiter, inside ``withLock(_:)``.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
