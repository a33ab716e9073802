import Synchronization

/// A request to stop a job early, shared between whoever asks and the threads doing the work.
///
/// The async entry points create one and set it when their task is cancelled; a synchronous
/// caller can pass its own (``VerifyOptions/cancellation``, ``SnapshotOptions/cancellation``)
/// and call ``cancel()`` from any thread. The work looks at it between entries and between
/// reads of at most a few MiB, and then throws ``SnapCheckError/Code/cancelled``; a manifest
/// being written is abandoned, an existing file left as it was.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A request not yet made.
    public init() {}

    /// Asks the work to stop. Safe from any thread, any number of times.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    /// Throws ``SnapCheckError/Code/cancelled`` when cancelled.
    func check() throws(SnapCheckError) {
        if isCancelled { throw SnapCheckError.cancelled }
    }
}

extension SnapCheckError {
    /// The error a cancelled job throws.
    static let cancelled = SnapCheckError(.cancelled, "cancelled")
}
