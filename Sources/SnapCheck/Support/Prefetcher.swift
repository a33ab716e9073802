import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Keeps many reads in flight on slow storage, whatever the number of hashing threads: threads
/// of its own ask the kernel to start reading (`posix_fadvise(POSIX_FADV_WILLNEED)`) the files
/// the workers are about to check, in the order they will check them, so that a cold disk or a
/// network share has a deep queue while the workers hash what has arrived.
///
/// A job offers each file it submits to its workers (``offer(_:)``) only while its reads wait
/// for the storage (``ReadMonitor/storageIsSlow``): on the page cache nothing is offered and
/// the threads are never started. A request costs an `open`, the advice and a `close`; it
/// reads nothing into the process (the pages go to the page cache), so memory is the queue:
/// at most `capacity` requests (when it is full an offer is dropped, and that file is simply
/// read without help). Files are opened as the workers open them: relative to their
/// directory, without following a link, without updating the access time, and only regular
/// files are advised.
final class Prefetcher: Sendable {
    /// A range of a file to be read soon.
    struct Request: Sendable {
        var location: ContentLocation
        var offset: UInt64
        var length: UInt64
    }

    private struct Queue {
        var requests: [Request] = []
        var first = 0
        var closed = false
    }

    private let queue = ConditionLock(Queue())
    /// Counts the waiting requests: each one wakes one thread (a condition variable would wake
    /// them all, for every request).
    private let waiting: Semaphore
    private let threads: Mutex<[ThreadHandle]> = Mutex([])
    private let threadCount: Int
    private let capacity: Int

    /// A prefetcher of `threads` threads (started at the first offer) and at most `capacity`
    /// waiting requests.
    init(threads: Int = 16, capacity: Int = 4096) {
        threadCount = threads
        self.capacity = capacity
        waiting = Semaphore()
    }

    /// Queues a request unless the queue is full.
    func offer(_ request: Request) {
        let start = queue.withLock { queue -> Bool in
            guard !queue.closed, queue.requests.count - queue.first < capacity else { return false }
            if queue.first > capacity {
                queue.requests.removeFirst(queue.first)
                queue.first = 0
            }
            queue.requests.append(request)
            return true
        }
        guard start else { return }
        waiting.signal()
        threads.withLock { threads in
            guard threads.isEmpty else { return }
            let queue = self.queue
            let waiting = self.waiting
            threads = (0..<threadCount).map { _ in ThreadHandle { Self.run(queue, waiting) } }
        }
    }

    /// Drops what waits, stops the threads and waits for them. Call it once, at the end.
    func shutDown() {
        queue.withLock { queue in
            queue.closed = true
            queue.requests = []
            queue.first = 0
        }
        let stopped = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for _ in stopped { waiting.signal() }
        for thread in stopped { thread.join() }
    }

    private static func run(_ queue: ConditionLock<Queue>, _ waiting: Semaphore) {
        while true {
            waiting.wait()
            let next: Request?? = queue.withLock { queue in
                guard !queue.closed else { return nil }
                guard queue.first < queue.requests.count else { return .some(nil) }  // dropped at shutdown
                defer { queue.first += 1 }
                return queue.requests[queue.first]
            }
            guard let next else { return }
            if let request = next { advise(request) }
        }
    }

    /// Asks the kernel to read the request's range into the page cache.
    private static func advise(_ request: Request) {
        let length = off_t(clamping: request.length)
        switch request.location {
        case .region(let descriptor, let offset, _):
            _ = posix_fadvise(descriptor, off_t(clamping: offset + request.offset), length, POSIX_FADV_WILLNEED)
        case .file(let name, let directory):
            let flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW
            var opened = withCString(name) { openat(directory.descriptor, $0, flags | Syscall.noAccessTime) }
            if opened < 0 && errno == EPERM { opened = withCString(name) { openat(directory.descriptor, $0, flags) } }
            guard opened >= 0 else { return }
            defer { close(opened) }
            guard case .success(let status) = Syscall.fstat(opened), status.st_mode & S_IFMT == S_IFREG else { return }
            _ = posix_fadvise(opened, off_t(clamping: request.offset), length, POSIX_FADV_WILLNEED)
        }
    }
}

/// A POSIX counting semaphore: ``signal()`` wakes one waiter.
///
/// `@unchecked Sendable`: the `sem_t` is only ever used through `sem_post` and `sem_wait`,
/// which are made for use from any thread; it is freed when the last user lets go.
private final class Semaphore: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
