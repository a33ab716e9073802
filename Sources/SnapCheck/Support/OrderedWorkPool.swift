/// A fixed set of threads, owned by the pool, that run jobs and hand the results back in the
/// order the jobs were submitted.
///
/// At most `window` jobs are in flight (queued, running or finished but not yet taken), so
/// memory is bounded by the window, never by the number of jobs. One thread (the owner)
/// submits and takes results; ``submit(_:delivering:)`` hands results over while the window is
/// full. Jobs and outputs cross between threads, so both must be `Sendable`; the workers share
/// nothing with the owner but the guarded queue.
///
/// Blocking reads run on these threads, never on Swift's cooperative pool.
final class OrderedWorkPool<Job: Sendable, Output: Sendable> {
    private struct Queue {
        var jobs: [Job?]
        var outputs: [Output?]
        var submitted = 0
        var started = 0
        var taken = 0
        var closed = false
    }

    private let queue: ConditionLock<Queue>
    private var threads: [ThreadHandle]
    /// The number of jobs that may be in flight.
    let window: Int

    /// Starts `threadCount` threads; each calls `makeWorker` once on its own thread and then
    /// runs every job it takes through the function it returned (so per-thread state such as
    /// buffers and digest contexts lives in that closure, on that thread).
    init(threadCount: Int, window: Int, makeWorker: @escaping @Sendable () -> (Job) -> Output) {
        let window = max(window, threadCount)
        self.window = window
        let queue = ConditionLock(Queue(jobs: Array(repeating: nil, count: window), outputs: Array(repeating: nil, count: window)))
        self.queue = queue
        threads = (0..<max(1, threadCount)).map { _ in
            ThreadHandle { Self.runWorker(makeWorker(), queue: queue, window: window) }
        }
    }

    /// Stops the threads and waits for them: each finishes the job it is running, and jobs not
    /// yet started are dropped. Call it exactly once, before the pool goes away.
    func shutDown() {
        queue.withLock { $0.closed = true }
        for thread in threads { thread.join() }
        threads = []
    }

    /// How many jobs were submitted, and how many of them a worker has started (the others
    /// wait in the queue).
    var jobCounts: (submitted: Int, started: Int) { queue.peek { ($0.submitted, $0.started) } }

    /// Nanoseconds between the calls of `waiting` while the owner waits for a result; nil to
    /// wait without them.
    var heartbeatInterval: UInt64?

    /// Queues a job, first handing results to `deliver` (oldest first) while the window is full;
    /// while it waits for one, `waiting` runs every ``heartbeatInterval`` (so that progress
    /// moves while a large file is being read).
    func submit<Failure: Error>(
        _ job: Job, delivering deliver: (Output) throws(Failure) -> Void, waiting: () -> Void = {}
    ) throws(Failure) {
        while queue.peek({ $0.submitted - $0.taken >= window }) { try deliver(next(waiting: waiting)) }
        queue.withLock { queue in
            queue.jobs[queue.submitted % window] = job
            queue.submitted += 1
        }
    }

    /// Whether no job is in flight: everything submitted has been handed back. (Work that needs
    /// no worker may then be done by the owner directly, and still come out in order.)
    var isIdle: Bool { queue.peek { $0.submitted == $0.taken } }

    /// Hands every result still to come to `deliver`, in order, calling `waiting` as
    /// ``submit(_:delivering:waiting:)`` does.
    func drain<Failure: Error>(delivering deliver: (Output) throws(Failure) -> Void, waiting: () -> Void = {}) throws(Failure) {
        while queue.peek({ $0.submitted > $0.taken }) { try deliver(next(waiting: waiting)) }
    }

    /// Waits for and returns the oldest result not yet taken.
    private func next(waiting heartbeat: () -> Void) -> Output {
        let window = self.window
        guard let heartbeatInterval else {
            return queue.withLock(waitingUntil: { $0.outputs[$0.taken % window] != nil }) { queue in
                let output = queue.outputs[queue.taken % window].take()!
                queue.taken += 1
                return output
            }
        }
        while true {
            let output: Output? = queue.withLock(waitingUntil: { $0.outputs[$0.taken % window] != nil }, atMost: heartbeatInterval) { queue, ready in
                guard ready else { return nil }
                let output = queue.outputs[queue.taken % window].take()!
                queue.taken += 1
                return output
            }
            if let output { return output }
            heartbeat()
        }
    }

    private static func runWorker(_ work: (Job) -> Output, queue: ConditionLock<Queue>, window: Int) {
        while true {
            let next: (Int, Job)? = queue.withLock(waitingUntil: { $0.closed || $0.started < $0.submitted }) { queue in
                guard !queue.closed else { return nil }
                let sequence = queue.started
                queue.started += 1
                return (sequence, queue.jobs[sequence % window].take()!)
            }
            guard let (sequence, job) = next else { return }
            let output = work(job)
            queue.withLock { $0.outputs[sequence % window] = output }
        }
    }
}
