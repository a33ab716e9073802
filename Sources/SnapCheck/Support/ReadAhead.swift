/// Elements produced on a thread of the library's own, consumed one at a time on the caller's
/// thread, with the producer at most `capacity` batches ahead; when the producer is done, the
/// value it returned (``outcome``).
///
/// Elements cross between the threads in batches, so the handshake is paid once per batch, not
/// once per element. A batch ends at `batchSize` elements, or earlier once its elements weigh
/// `batchBytes` (when a `weight` is given: what an element holds, such as the chunks of a
/// manifest entry), so the memory ahead is bounded by bytes, not by a count of elements of any
/// size. This turns a push (a callback per element) into the pull a merge-join needs, and lets
/// parsing or hashing run ahead of the consumer on another core.
///
/// The producer closure is `sending`: whatever it captures (a manifest reader, say) belongs to
/// the producer thread from then on, and the compiler refuses a caller that touches it again.
/// The producer thread holds only the shared queue, never this object, so the object always
/// goes away on the consumer's thread, which stops and joins the producer.
final class ReadAhead<Element: Sendable, Outcome: Sendable> {
    /// What the producer calls for each element; it throws ``SnapCheckError/cancelled`` when
    /// the consumer has gone away (nobody sees that error: the producer should just stop).
    typealias Emit = (Element) throws(SnapCheckError) -> Void

    private struct Queue {
        var batches: [[Element]] = []
        /// Set when the producer has returned or thrown.
        var end: Result<Outcome, SnapCheckError>?
        var cancelled = false
    }

    private let queue = ConditionLock(Queue())
    /// The batch being taken, last element first (the producer turns each batch around):
    /// taking an element with `popLast` moves it out, where reading it in place would copy it
    /// (and count every reference it holds up and down, twice).
    private var current: [Element] = []
    private var thread: ThreadHandle?
    /// What the producer returned; nil until ``next()`` has returned nil.
    private(set) var outcome: Outcome?

    /// Starts `produce` on a new thread.
    init(
        capacity: Int = 8, batchSize: Int = 256, batchBytes: Int = 256 << 10, weight: (@Sendable (Element) -> Int)? = nil,
        produce: sending @escaping (_ emit: Emit) throws(SnapCheckError) -> Outcome
    ) {
        let queue = self.queue
        thread = ThreadHandle {
            var batch: [Element] = []
            var batchWeight = 0
            /// Hands `batch` over, turned around, and leaves it empty.
            func push(_ batch: inout [Element]) throws(SnapCheckError) {
                batch.reverseByMoving()
                let full = batch
                batch = []
                batchWeight = 0
                let accepted = queue.withLock(waitingUntil: { $0.batches.count < capacity || $0.cancelled }) { queue in
                    if queue.cancelled { return false }
                    queue.batches.append(full)
                    return true
                }
                if !accepted { throw SnapCheckError.cancelled }
            }
            let end: Result<Outcome, SnapCheckError>
            do throws(SnapCheckError) {
                let value = try produce { (element) throws(SnapCheckError) in
                    batch.append(element)
                    if let weight { batchWeight += weight(element) }
                    if batch.count >= batchSize || batchWeight >= batchBytes { try push(&batch) }
                }
                if !batch.isEmpty { try? push(&batch) }
                end = .success(value)
            } catch {
                if !batch.isEmpty { try? push(&batch) }
                end = .failure(error)
            }
            queue.withLock { $0.end = end }
        }
    }

    deinit {
        queue.withLock { $0.cancelled = true }
        thread?.join()
    }

    /// The next element, or nil at the end; rethrows what stopped the producer.
    func next() throws(SnapCheckError) -> Element? {
        if let element = current.popLast() { return element }
        // The batch goes straight into `current`: held anywhere else as well, the first
        // `popLast` would copy it whole.
        var failure: SnapCheckError?
        queue.withLock(waitingUntil: { !$0.batches.isEmpty || $0.end != nil }) { queue in
            if !queue.batches.isEmpty {
                current = queue.batches.removeFirst()
            } else if case .failure(let error) = queue.end {
                failure = error
            }
        }
        if let failure { throw failure }
        guard let element = current.popLast() else {
            if outcome == nil { outcome = queue.peek { queue -> Outcome? in try? queue.end?.get() } }
            return nil
        }
        return element
    }
}
