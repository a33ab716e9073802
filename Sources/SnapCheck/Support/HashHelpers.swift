import Synchronization

/// Threads of the library's own that help a worker hash the chunks it has cut, so that one
/// large file does not leave the other cores idle.
///
/// A worker hands over a batch (the chunks of one buffer fill), hashes from the same batch
/// itself, and returns when every chunk of it is hashed: the bytes stay in its buffer, and
/// are never copied, until then. Helpers are only called on while some worker is idle: when
/// every worker is busy the cores are too, and handing work around would only add waiting
/// (measured: 4 files of 1 GiB on 2 cores took 8% longer with help than without).
final class HashHelpers: Sendable {
    /// The chunks of one buffer fill, and how far hashing them has come.
    private final class Batch: Sendable {
        let pieces: BorrowedPieces
        /// Index of the next piece to hash, pieces hashed, and their digests.
        let progress: Mutex<(next: Int, done: Int, results: [Digest?])>

        init(_ pieces: [UnsafeRawBufferPointer]) {
            self.pieces = BorrowedPieces(pieces)
            progress = Mutex((0, 0, Array(repeating: nil, count: pieces.count)))
        }

        /// Claims the next piece to hash, if any is left.
        func claim() -> Int? {
            progress.withLock { progress in
                guard progress.next < pieces.count else { return nil }
                defer { progress.next += 1 }
                return progress.next
            }
        }

        var isExhausted: Bool { progress.withLock { $0.next >= pieces.count } }
    }

    private struct Queue {
        var batches: [Batch] = []
        var closed = false
    }

    private let queue = ConditionLock(Queue())
    /// Taken out and joined by ``shutDown()``.
    private let threads: Mutex<[ThreadHandle]>
    private let workers: Int
    private let busyWorkers: Atomic<Int>

    /// Starts `count` helper threads for a pool of `workers` workers.
    init(count: Int, workers: Int) {
        self.workers = workers
        busyWorkers = Atomic(0)
        let queue = self.queue
        threads = Mutex((0..<count).map { _ in ThreadHandle { Self.help(queue) } })
    }

    /// Stops the helpers and waits for them. Call it once, when no batch is in progress.
    func shutDown() {
        queue.withLock { $0.closed = true }
        let stopped = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for thread in stopped { thread.join() }
    }

    /// A worker has started a job (called from the worker threads).
    func workerBegan() { busyWorkers.add(1, ordering: .relaxed) }

    /// A worker has finished a job (called from the worker threads).
    func workerEnded() { busyWorkers.subtract(1, ordering: .relaxed) }

    /// Whether the helpers would take part now: some worker is idle (when every worker is
    /// busy the cores are too). A worker cuts and hashes alone, in cache, while they would not.
    var canHelp: Bool { busyWorkers.load(ordering: .relaxed) < workers }

    /// The SHA-256 of each piece, computed by the calling thread (with `hasher`) and, while
    /// some worker is idle, the helpers. The pieces must stay valid and unchanged until this
    /// returns, which it does only when every piece is hashed.
    func digests(of pieces: [UnsafeRawBufferPointer], using hasher: SHA256) -> [Digest] {
        if !canHelp || pieces.count < 2 {
            return pieces.map { hasher.digest(of: $0) }
        }
        let batch = Batch(pieces)
        queue.withLock { $0.batches.append(batch) }
        // Claimed under the queue's lock, as the helpers claim: every access to a batch's
        // progress is then ordered by that one lock.
        while let index = queue.withLock({ _ in batch.claim() }) {
            Self.finish(batch, index, hasher.digest(of: batch.pieces[index]), queue)
        }
        return queue.withLock(waitingUntil: { _ in batch.progress.withLock { $0.done == pieces.count } }) { _ in
            batch.progress.withLock { $0.results.map { $0! } }
        }
    }

    /// Records a digest and wakes the worker that waits for its batch.
    private static func finish(_ batch: Batch, _ index: Int, _ digest: Digest, _ queue: ConditionLock<Queue>) {
        queue.withLock { _ in
            batch.progress.withLock { progress in
                progress.results[index] = digest
                progress.done += 1
            }
        }
    }

    private static func help(_ queue: ConditionLock<Queue>) {
        let hasher = SHA256()
        while true {
            let work: (Batch, Int)? = queue.withLock(waitingUntil: { $0.closed || $0.batches.contains { !$0.isExhausted } }) { queue in
                queue.batches.removeAll { $0.isExhausted }
                guard let batch = queue.batches.first, let index = batch.claim() else { return nil }
                return (batch, index)
            }
            guard let (batch, index) = work else { return }
            finish(batch, index, hasher.digest(of: batch.pieces[index]), queue)
        }
    }
}

/// Memory that a worker lends to the helpers while it waits for them.
///
/// `@unchecked Sendable`: the pointers refer to the worker's buffer, which it keeps alive and
/// unchanged until every piece has been hashed (``HashHelpers/digests(of:using:)`` returns only
/// then); the helpers only read it.
private struct BorrowedPieces: @unchecked Sendable {
    private let pieces: [UnsafeRawBufferPointer]

    init(_ pieces: [UnsafeRawBufferPointer]) { self.pieces = pieces }

    var count: Int { pieces.count }

    subscript(index: Int) -> UnsafeRawBufferPointer { pieces[index] }
}
