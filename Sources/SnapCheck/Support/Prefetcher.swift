import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Keeps many reads in flight on slow storage, whatever the number of hashing threads: threads
/// of its own read the files the workers are about to check (up to 128 KiB, into a scratch
/// buffer, dropped) or ask the kernel to start reading them (`posix_fadvise(WILLNEED)`, for
/// larger ranges), in the order the workers will check them, so that a cold disk or a network
/// share has a deep queue while the workers hash what has arrived.
///
/// A job offers each file it submits to its workers (``offer(_:)``) only while its reads wait
/// for the storage (``ReadMonitor/storageIsSlow``): on the page cache nothing is offered and
/// the threads are never started. A request opens the file, gives the advice, and keeps the
/// descriptor for the worker that will read the file (``take(name:in:)``), so that the wait
/// of an `open` on slow storage (a network or FUSE round trip) is paid here, many at a time,
/// not by the worker; a worker that comes for a file while it is being opened waits for it
/// instead of asking the storage again. What it reads only passes through a scratch buffer
/// (128 KiB a thread: the pages stay in the page cache), so memory is that, the queue, at most
/// `capacity` requests (when it is full an offer is dropped, and that file is read without
/// help), and at most `openLimit` descriptors are kept, each with its directory (beyond them,
/// the file is closed after the advice); those never taken are closed by ``shutDown()``.
/// Files are opened as the workers open them: relative to their directory, without following
/// a link, without updating the access time, and only regular files are advised.
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
    /// Files opened ahead for the workers, or being opened, by directory and name.
    private let opened: OpenedAhead
    /// Counts the waiting requests: each one wakes one thread (a condition variable would wake
    /// them all, for every request).
    private let waiting: DispatchSemaphore
    private let threads: Mutex<[ThreadHandle]> = Mutex([])
    /// Set once the threads are started (at the first offer).
    private let started = Atomic<Bool>(false)
    private let threadCount: Int
    private let capacity: Int

    /// A prefetcher of `threads` threads (started at the first offer) and at most `capacity`
    /// waiting requests.
    /// Where the time of each read ahead is told (see ``ReadMonitor/storageIsSlow``).
    private let monitor: ReadMonitor

    /// `openLimit` defaults to 256, or an eighth of the process's limit on open files if that
    /// is less (each file kept may keep its directory open too).
    init(monitor: ReadMonitor, threads: Int = 64, capacity: Int = 4096, openLimit: Int? = nil) {
        self.monitor = monitor
        threadCount = threads
        self.capacity = capacity
        opened = OpenedAhead(limit: openLimit ?? max(1, min(256, Int(clamping: OpenFileLimit.current ?? 1024) / 8)))
        waiting = DispatchSemaphore(value: 0)
    }

    /// The descriptor (and its `fstat`) of `name` in `directory`, if it was opened ahead; the
    /// caller owns it from then on. When a thread is opening and reading it right now, waits
    /// for that thread rather than asking the storage a second time (on a network share the
    /// worker would pay the whole round trip again, and it is at the head of the queue).
    func take(name: ArraySlice<UInt8>, in directory: DirectoryHandle) -> (Int32, stat)? {
        // Nothing was ever offered (the page cache): no lock, no lookup.
        guard started.load(ordering: .acquiring) else { return nil }
        return opened.take(OpenedAhead.Key(directory: directory, name: name)).map { ($0.descriptor, $0.status) }
    }

    /// What a job has submitted to its workers before its reads were seen to wait: handed to
    /// the prefetcher as soon as they are, those not started by a worker yet (a file its worker
    /// has opened already would only be opened a second time).
    /// The jobs are kept as they are (a reference each), and their requests worked out only
    /// when they are offered: on the page cache this costs nearly nothing.
    struct Backlog<Job> {
        /// Jobs, each with its number in the order of submission.
        private var jobs: [(number: Int, job: Job)] = []
        private let limit: Int
        private let prefetcher: Prefetcher
        private let isSlow: () -> Bool
        private let requests: (Job) -> [Request]

        /// A backlog of the last `jobs` jobs (a pool's window) for `prefetcher`, whose reads
        /// `requests` tells; they are offered while `isSlow` says the storage is slow.
        init(jobs: Int, for prefetcher: Prefetcher, whenSlow isSlow: @escaping () -> Bool, requests: @escaping (Job) -> [Request]) {
            limit = jobs
            self.prefetcher = prefetcher
            self.isSlow = isSlow
            self.requests = requests
        }

        /// Offers the reads of `job`, and of the jobs that wait, when the storage is slow;
        /// keeps it for later otherwise. `counts` are the pool's, before `job` is submitted to
        /// it: `job` is the one numbered `submitted` (from 0), and workers have started
        /// `started` jobs.
        mutating func submit(_ job: Job, counts: (submitted: Int, started: Int)) {
            guard isSlow() else {
                if jobs.count == limit { jobs.removeFirst() }
                jobs.append((counts.submitted, job))
                return
            }
            offerWaiting(started: counts.started)
            for request in requests(job) { prefetcher.offer(request) }
        }

        /// Offers the reads of the jobs that wait and that no worker has started (of `started`
        /// jobs started), when the storage is slow: for the owner to call while it waits for
        /// its workers, so that the jobs handed out before the storage was seen to be slow are
        /// read ahead at once, not at the next submission (which waits for the first of them
        /// to be done: on a network share, each of its files one round trip after the other).
        mutating func offerWaiting(started: Int) {
            guard !jobs.isEmpty, isSlow() else { return }
            for (number, job) in jobs where number >= started {
                for request in requests(job) { prefetcher.offer(request) }
            }
            jobs = []
        }
    }

    /// Queues a request unless the queue is full.
    func offer(_ request: Request) {
        let key = Self.key(request)
        if let key { opened.queued(key) }
        let start = queue.withLock { queue -> Bool in
            guard !queue.closed, queue.requests.count - queue.first < capacity else { return false }
            if queue.first > capacity {
                queue.requests.removeFirst(queue.first)
                queue.first = 0
            }
            queue.requests.append(request)
            return true
        }
        guard start else {
            if let key { opened.dropped(key) }
            return
        }
        waiting.signal()
        threads.withLock { threads in
            guard threads.isEmpty else { return }
            threads = (0..<threadCount).map { _ in ThreadHandle { [self] in self.run() } }
            started.store(true, ordering: .releasing)
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
        opened.closeAll()
    }

    /// Requests up to this long are read (into a scratch buffer of each thread's), longer ones
    /// advised.
    static let readSize = 128 << 10

    private func run() {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 64)
        defer { scratch.deallocate() }
        while true {
            waiting.wait()
            let next: Request?? = queue.withLock { queue in
                guard !queue.closed else { return nil }
                guard queue.first < queue.requests.count else { return .some(nil) }  // dropped at shutdown
                defer { queue.first += 1 }
                return queue.requests[queue.first]
            }
            guard let next else { return }
            if let request = next { advise(request, scratch: scratch) }
        }
    }

    /// Opens the file of a request, reads or advises its range, and keeps (or closes) it.
    private func advise(_ request: Request, scratch: UnsafeMutableRawBufferPointer) {
        guard let key = Self.key(request) else {
            Self.advise(request)
            return
        }
        switch opened.claim(key) {
        case .skip:
            return
        case .keep:
            opened.finish(key, with: openAndRead(request, key, scratch: scratch))
        case .readOnly:
            if let file = openAndRead(request, key, scratch: scratch) { close(file.descriptor) }
        }
    }

    /// The file a request is for, if it is one the workers open by name.
    private static func key(_ request: Request) -> OpenedAhead.Key? {
        guard case .file(let name, let directory) = request.location else { return nil }
        return OpenedAhead.Key(directory: directory, name: name)
    }

    /// Opens the file of a request as the workers would and reads or advises its range; nil
    /// when it cannot be opened or is not a regular file (the worker finds out for itself).
    private func openAndRead(_ request: Request, _ file: OpenedAhead.Key, scratch: UnsafeMutableRawBufferPointer) -> OpenedAhead.File? {
        let started = ReadMonitor.now()
        let flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW
        let directory = file.directory.descriptor
        var descriptor = withCString(file.name) { openat(directory, $0, flags | Syscall.noAccessTime) }
        if descriptor < 0 && errno == EPERM { descriptor = withCString(file.name) { openat(directory, $0, flags) } }
        guard descriptor >= 0 else { return nil }
        guard case .success(let status) = Syscall.fstat(descriptor), status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        if request.length <= UInt64(Self.readSize) {
            // Read, and dropped: some file systems (FUSE) take the advice as a hint and wait
            // for the reader; a real read fills the page cache everywhere.
            let read = Syscall.preadAll(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<Int(request.length)]), at: request.offset)
            monitor.noteReadAhead(since: started, bytes: (try? read.get()) ?? 0)
        } else {
            _ = posix_fadvise(descriptor, off_t(clamping: request.offset), off_t(clamping: request.length), POSIX_FADV_WILLNEED)
        }
        return OpenedAhead.File(descriptor: descriptor, status: status)
    }

    /// Asks the kernel to read a region of an open archive into the page cache.
    private static func advise(_ request: Request) {
        guard case .region(let descriptor, let offset, _) = request.location else { return }
        _ = posix_fadvise(descriptor, off_t(clamping: offset + request.offset), off_t(clamping: request.length), POSIX_FADV_WILLNEED)
    }
}
