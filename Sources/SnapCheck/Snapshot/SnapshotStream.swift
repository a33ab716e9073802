/// The entries of a tree being recorded, pulled one at a time while a thread of the library's
/// own walks and hashes ahead (at most `capacity` entries ahead).
///
/// This turns ``SnapshotBuilder``'s push (a callback per entry) into the pull that a merge-join
/// needs, so `compare` can verify a target against a source without a stored manifest.
final class SnapshotStream {
    private struct Cancelled: Error {}

    private let lock = ConditionLock()
    private var queue: [TreeEntry] = []
    private var head = 0
    private var finished = false
    private var failure: SnapCheckError?
    private var cancelled = false
    private let capacity: Int
    private var thread: ThreadHandle?

    /// Starts recording `root`; `problem` is called on the recording thread.
    init(root: String, options: SnapshotOptions, capacity: Int = 4096, problem: @escaping @Sendable (SnapCheckError) -> Void) {
        self.capacity = capacity
        let box = UncheckedBox(self)
        thread = ThreadHandle {
            let stream = box.value
            do {
                try SnapshotBuilder.build(root: root, options: options, problem: problem) { entry in
                    try stream.push(entry)
                }
                stream.finish(nil)
            } catch let error as SnapCheckError {
                stream.finish(error)
            } catch {
                stream.finish(nil)  // cancelled by the consumer
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

    /// The next entry, or nil at the end; rethrows what stopped the recording.
    func next() throws(SnapCheckError) -> TreeEntry? {
        let result: Result<TreeEntry?, SnapCheckError> = lock.withLock {
            lock.wait { head < queue.count || finished }
            if head < queue.count {
                let entry = queue[head]
                head += 1
                if head == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    head = 0
                }
                lock.broadcast()
                return .success(entry)
            }
            if let failure { return .failure(failure) }
            return .success(nil)
        }
        return try result.get()
    }

    private func push(_ entry: TreeEntry) throws {
        try lock.withLock {
            lock.wait { queue.count - head < capacity || cancelled }
            if cancelled { throw Cancelled() }
            queue.append(entry)
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

/// Carries a reference into a thread's closure.
struct UncheckedBox<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: SnapshotStream synchronises every access to its state with its own lock, and
    // its deinit joins the thread, so the reference outlives every use on that thread.
    unowned(unsafe) let value: Value
    init(_ value: Value) { self.value = value }
}
