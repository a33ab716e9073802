#if canImport(Glibc)
import Glibc
#endif

/// State guarded by a mutex, with one condition variable to wait for the state to change
/// (pthreads): `Synchronization.Mutex` has no way to wait.
///
/// The state is reachable only inside ``withLock(_:)`` and ``withLock(waitingUntil:_:)``, and
/// values go in and out as `sending`, like `Mutex`'s: the compiler checks that nothing the lock
/// guards escapes it while still shared.
final class ConditionLock<State>: @unchecked Sendable {
    // @unchecked: `state` is read and written only between pthread_mutex_lock and
    // pthread_mutex_unlock below; the pthread objects live at stable heap addresses for the
    // object's lifetime and are only touched through pthread calls.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    init(_ initial: sending State) {
        state = initial
        pthread_mutex_init(mutex, nil)
        // Timed waits measure on the monotonic clock: a change of the wall clock cannot
        // stretch or cut them.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` on the state, holding the lock, then wakes every waiter.
    func withLock<R>(_ body: (inout sending State) throws -> sending R) rethrows -> sending R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Reads from the state, holding the lock, without waking anyone (nothing changed).
    func peek<R: Sendable>(_ body: (borrowing State) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(state)
    }

    /// Waits until `ready` holds for the state (the lock is released while waiting), then runs
    /// `body` as ``withLock(_:)`` does.
    func withLock<R>(
        waitingUntil ready: (inout sending State) -> Bool, _ body: (inout sending State) throws -> sending R
    ) rethrows -> sending R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        while !ready(&state) { pthread_cond_wait(condition, mutex) }
        return try body(&state)
    }

    /// Waits until `ready` holds for the state or `nanoseconds` have passed, then runs `body`
    /// with whether `ready` held (nothing else is woken when it did not).
    func withLock<R>(
        waitingUntil ready: (inout sending State) -> Bool, atMost nanoseconds: UInt64,
        _ body: (inout sending State, _ ready: Bool) throws -> sending R
    ) rethrows -> sending R {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = UInt64(deadline.tv_nsec) + nanoseconds
        deadline.tv_sec += Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(mutex)
        var isReady = ready(&state)
        while !isReady {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                isReady = ready(&state)
                break
            }
            isReady = ready(&state)
        }
        defer {
            if isReady { pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
        }
        return try body(&state, isReady)
    }
}
