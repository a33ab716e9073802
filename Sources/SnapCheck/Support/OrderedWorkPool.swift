#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of threads, owned by the pool, that run jobs and hand the results back in the
/// order the jobs were submitted.
///
/// At most `window` jobs are in flight (queued, running or finished but not yet taken), so
/// memory is bounded by the window, never by the number of jobs. One thread submits and takes
/// results; ``submit(_:)`` blocks when the window is full until the caller has taken the oldest
/// result, so the caller alternates: take results while ``isFull``, then submit.
///
/// Blocking reads run on these threads, never on Swift's cooperative pool.
final class OrderedWorkPool<Job, Output>: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written only while holding `lock`;
    // jobs and outputs are handed between threads through those fields, one owner at a time.
    private let lock = ConditionLock()
    private var jobs: [Job?]
    private var outputs: [Output?]
    private var submitted = 0
    private var started = 0
    private var taken = 0
    private var closed = false
    private var threads: [ThreadHandle] = []
    /// The number of jobs that may be in flight.
    let window: Int

    /// Starts `threadCount` threads; each calls `makeWorker` once on its own thread and then
    /// runs every job it takes through the function it returned (so per-thread state such as
    /// buffers and digest contexts lives in that closure).
    init(threadCount: Int, window: Int, makeWorker: @escaping @Sendable () -> (Job) -> Output) {
        self.window = max(window, threadCount)
        jobs = Array(repeating: nil, count: self.window)
        outputs = Array(repeating: nil, count: self.window)
        for _ in 0..<max(1, threadCount) {
            threads.append(ThreadHandle { self.runWorker(makeWorker()) })
        }
    }

    /// Stops the threads and waits for them: each finishes the job it is running, and jobs not
    /// yet started are dropped. Call it exactly once; the threads hold the pool until then.
    func shutDown() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
        for thread in threads { thread.join() }
        threads = []
    }

    /// Whether the window is full: take a result before submitting more.
    var isFull: Bool { lock.withLock { submitted - taken >= window } }

    /// Whether results are still to be taken.
    var hasPending: Bool { lock.withLock { submitted > taken } }

    /// Queues a job. Precondition: the window is not full.
    func submit(_ job: Job) {
        lock.withLock {
            precondition(submitted - taken < window, "submit into a full window")
            jobs[submitted % window] = job
            submitted += 1
            lock.broadcast()
        }
    }

    /// Queues a job, first handing results to `deliver` (oldest first) while the window is full.
    func submit(_ job: Job, delivering deliver: (Output) throws -> Void) rethrows {
        while isFull { try deliver(next()) }
        submit(job)
    }

    /// Hands every result still to come to `deliver`, in order.
    func drain(delivering deliver: (Output) throws -> Void) rethrows {
        while hasPending { try deliver(next()) }
    }

    /// Waits for and returns the oldest result not yet taken. Precondition: ``hasPending``.
    func next() -> Output {
        lock.withLock {
            precondition(submitted > taken, "no job in flight")
            let slot = taken % window
            lock.wait { outputs[slot] != nil }
            let output = outputs[slot].take()!
            taken += 1
            lock.broadcast()
            return output
        }
    }

    private func runWorker(_ work: (Job) -> Output) {
        while true {
            let next: (Int, Job)? = lock.withLock {
                lock.wait { closed || started < submitted }
                if !closed {
                    let sequence = started
                    started += 1
                    return (sequence, jobs[sequence % window].take()!)
                }
                return nil
            }
            guard let (sequence, job) = next else { return }
            let output = work(job)
            lock.withLock {
                outputs[sequence % window] = output
                lock.broadcast()
            }
        }
    }
}
