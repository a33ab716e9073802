/// A limit on the worker threads that several jobs running at once may use together, for a
/// host that runs verifications and recordings side by side (a NAS daemon checking several
/// shares, say) and wants them to share its cores rather than each take one thread per core.
///
/// Give the same budget to the options of every job (``VerifyOptions/threadBudget``,
/// ``SnapshotOptions/threadBudget``). A job takes as many of its ``VerifyOptions/threads`` as
/// are free when it starts (at least one, waiting for one if none is), and gives them back
/// when it ends; a waiting job still stops promptly when cancelled.
///
/// ```swift
/// let budget = ThreadBudget(threads: 4)
/// var options = VerifyOptions()
/// options.threadBudget = budget
/// async let a = Verifier.verify(manifest: "a.manifest", target: "/mnt/a", options: options)
/// async let b = Verifier.verify(manifest: "b.manifest", target: "/mnt/b", options: options)
/// ```
public final class ThreadBudget: Sendable {
    /// The threads the jobs may use together.
    public let threads: Int
    private let free: ConditionLock<Int>

    /// A budget of `threads` worker threads (at least 1).
    public init(threads: Int) {
        self.threads = max(1, threads)
        free = ConditionLock(max(1, threads))
    }

    /// Takes up to `wanted` threads (at least one, waiting while none is free); returns how many.
    ///
    /// - Throws: ``SnapCheckError/Code/cancelled`` when cancelled while waiting.
    func reserve(_ wanted: Int, cancellation: Cancellation?) throws(SnapCheckError) -> Int {
        while true {
            try cancellation?.check()
            let granted = free.withLock(waitingUntil: { $0 > 0 }, atMost: 50_000_000) { free, ready -> Int in
                guard ready else { return 0 }
                let granted = min(free, max(1, wanted))
                free -= granted
                return granted
            }
            if granted > 0 { return granted }
        }
    }

    /// Gives back threads taken with ``reserve(_:cancellation:)``.
    func release(_ count: Int) {
        free.withLock { $0 += count }
    }
}

/// Options that run worker threads, possibly within a shared ``ThreadBudget``.
protocol ThreadedOptions {
    var threads: Int { get set }
    var threadBudget: ThreadBudget? { get set }
    var cancellation: Cancellation? { get }
}

extension ThreadedOptions {
    /// Runs `body` with these options, their thread count cut to what the budget grants (and
    /// the budget taken off, so nothing inside reserves twice); the threads go back at the end.
    func withReservedThreads<R>(_ body: (Self) throws(SnapCheckError) -> R) throws(SnapCheckError) -> R {
        guard let budget = threadBudget else { return try body(self) }
        let granted = try budget.reserve(threads, cancellation: cancellation)
        defer { budget.release(granted) }
        var reserved = self
        reserved.threads = granted
        reserved.threadBudget = nil
        return try body(reserved)
    }
}

extension VerifyOptions: ThreadedOptions {}
extension SnapshotOptions: ThreadedOptions {}
