import Synchronization

/// Threads of the library's own that help a worker hash the chunks it has cut, so that one
/// large file does not leave the other cores idle.
///
/// A worker hands over a batch (the chunks of one buffer fill), hashes from the same batch
/// itself, and returns when every chunk of it is hashed: the bytes stay in its buffer, and
/// are never copied, until then. Helpers are only called on while some worker is idle: when
/// every worker is busy the cores are too, and handing work around would only add waiting
/// (measured: 4 files of 1 GiB on 2 cores took 8% longer with help than without).
final class HashHelpers: @unchecked Sendable {
    // @unchecked: `batches` and `closed` are only touched while holding `lock`; a batch's
    // results are written by one thread per index, under `lock`.
    private final class Batch {
        let pieces: [UnsafeRawBufferPointer]
        var results: [Digest?]
        var next = 0
        var done = 0

        init(_ pieces: [UnsafeRawBufferPointer]) {
            self.pieces = pieces
            results = Array(repeating: nil, count: pieces.count)
        }
    }

    private let lock = ConditionLock()
    private var batches: [Batch] = []
    private var closed = false
    private var threads: [ThreadHandle] = []
    private let workers: Int
    private let busyWorkers = Atomic<Int>(0)

    /// Starts `count` helper threads for a pool of `workers` workers.
    init(count: Int, workers: Int) {
        self.workers = workers
        for _ in 0..<count {
            threads.append(ThreadHandle { self.help() })
        }
    }

    /// Stops the helpers and waits for them. Call it once, when no batch is in progress.
    func shutDown() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
        for thread in threads { thread.join() }
        threads = []
    }

    /// A worker has started a job.
    func workerBegan() { busyWorkers.add(1, ordering: .relaxed) }

    /// A worker has finished a job.
    func workerEnded() { busyWorkers.subtract(1, ordering: .relaxed) }

    /// The SHA-256 of each piece, computed by the calling thread (with `hasher`) and, while
    /// some worker is idle, the helpers.
    func digests(of pieces: [UnsafeRawBufferPointer], using hasher: SHA256) -> [Digest] {
        if busyWorkers.load(ordering: .relaxed) >= workers || pieces.count < 2 {
            return pieces.map { hasher.digest(of: $0) }
        }
        let batch = Batch(pieces)
        lock.withLock {
            batches.append(batch)
            lock.broadcast()
        }
        while let index = take(from: batch) {
            let digest = hasher.digest(of: batch.pieces[index])
            finish(batch, index, digest)
        }
        return lock.withLock {
            lock.wait { batch.done == batch.pieces.count }
            return batch.results.map { $0! }
        }
    }

    private func take(from batch: Batch) -> Int? {
        lock.withLock {
            guard batch.next < batch.pieces.count else { return nil }
            defer { batch.next += 1 }
            return batch.next
        }
    }

    private func finish(_ batch: Batch, _ index: Int, _ digest: Digest) {
        lock.withLock {
            batch.results[index] = digest
            batch.done += 1
            lock.broadcast()
        }
    }

    private func help() {
        let hasher = SHA256()
        while true {
            let work: (Batch, Int)? = lock.withLock {
                lock.wait { closed || batches.contains { $0.next < $0.pieces.count } }
                batches.removeAll { $0.next >= $0.pieces.count }
                guard let batch = batches.first else { return nil }
                defer { batch.next += 1 }
                return (batch, batch.next)
            }
            guard let (batch, index) = work else { return }
            finish(batch, index, hasher.digest(of: batch.pieces[index]))
        }
    }
}
