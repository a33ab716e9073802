/// Elements produced on a thread of the library's own, consumed one at a time on the caller's
/// thread, with the producer at most `capacity` batches ahead.
///
/// Elements cross between the threads in batches, so the handshake is paid once per batch, not
/// once per element. This turns a push (a callback per element) into the pull a merge-join
/// needs, and lets parsing or hashing run ahead of the consumer on another core.
final class ReadAhead<Element> {
    /// What the producer calls for each element; it throws when the consumer has gone away.
    typealias Emit = (Element) throws -> Void

    private struct Cancelled: Error {}

    private let lock = ConditionLock()
    private var batches: [[Element]] = []
    private var current: [Element] = []
    private var index = 0
    private var finished = false
    private var failure: SnapCheckError?
    private var cancelled = false
    private let capacity: Int
    private let batchSize: Int
    private var thread: ThreadHandle?

    /// Starts `produce` on a new thread.
    init(capacity: Int = 8, batchSize: Int = 256, produce: @escaping (_ emit: Emit) throws(SnapCheckError) -> Void) {
        self.capacity = capacity
        self.batchSize = batchSize
        let box = UncheckedBox(self)
        thread = ThreadHandle {
            let queue = box.value
            var batch: [Element] = []
            do {
                try produce { element in
                    batch.append(element)
                    if batch.count >= queue.batchSize {
                        try queue.push(batch)
                        batch = []
                    }
                }
                if !batch.isEmpty { try queue.push(batch) }
                queue.finish(nil)
            } catch let error as SnapCheckError {
                if !batch.isEmpty { try? queue.push(batch) }
                queue.finish(error)
            } catch {
                queue.finish(nil)  // the consumer went away
            }
        }
    }

    deinit {
        lock.withLock {
            cancelled = true
            lock.broadcast()
        }
        thread?.join()
    }

    /// The next element, or nil at the end; rethrows what stopped the producer.
    func next() throws(SnapCheckError) -> Element? {
        if index < current.count {
            defer { index += 1 }
            return current[index]
        }
        let result: Result<[Element]?, SnapCheckError> = lock.withLock {
            lock.wait { !batches.isEmpty || finished }
            if !batches.isEmpty {
                lock.broadcast()
                return .success(batches.removeFirst())
            }
            if let failure { return .failure(failure) }
            return .success(nil)
        }
        guard let batch = try result.get() else { return nil }
        current = batch
        index = 1
        return batch[0]
    }

    private func push(_ batch: [Element]) throws {
        try lock.withLock {
            lock.wait { batches.count < capacity || cancelled }
            if cancelled { throw Cancelled() }
            batches.append(batch)
            lock.broadcast()
        }
    }

    private func finish(_ error: SnapCheckError?) {
        lock.withLock {
            finished = true
            failure = error
            lock.broadcast()
        }
    }
}

/// Carries a reference into a thread's closure without retaining it.
struct UncheckedBox<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: the object synchronises every access to its state with its own lock, and its
    // deinit joins the thread, so the reference outlives every use on that thread.
    unowned(unsafe) let value: Value
    init(_ value: Value) { self.value = value }
}
