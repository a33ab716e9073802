import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What the worker threads of one job share about their reads: the job's ``Cancellation``,
/// looked at before every read, a running count of the bytes read, which progress reports
/// show while a large file is still being read, and how long reads take, which tells slow
/// storage (a cold disk, a network share) from the page cache (``storageIsSlow``).
final class ReadMonitor: Sendable {
    /// The job's cancellation, if it has one.
    let cancellation: Cancellation?
    private let counted = Atomic<UInt64>(0)
    /// Moving shares (out of 1024) of the workers' reads, and of the reads ahead, that waited
    /// on the storage.
    private let slowShare = Atomic<Int>(0)
    private let slowShareAhead = Atomic<Int>(0)
    /// How many reads (up to a few dozen) each share has seen: it says nothing before a few.
    private let samples = Atomic<Int>(0)
    private let samplesAhead = Atomic<Int>(0)
    /// Set while a ``Prefetcher`` reads ahead for this job.
    private let readingAhead = Atomic<Bool>(false)

    init(cancellation: Cancellation?) {
        self.cancellation = cancellation
    }

    /// Throws ``SnapCheckError/Code/cancelled`` when the job was cancelled.
    func willRead() throws(SnapCheckError) {
        try cancellation?.check()
    }

    /// Counts `count` bytes just read.
    func didRead(_ count: Int) {
        counted.add(UInt64(count), ordering: .relaxed)
    }

    /// The bytes read so far by every worker of the job.
    var bytesRead: UInt64 { counted.load(ordering: .relaxed) }

    /// ``willRead()``, returning the time the read starts.
    func startRead() throws(SnapCheckError) -> UInt64 {
        try willRead()
        return Self.now()
    }

    /// ``didRead(_:)`` for a read that started at `start`: also tells whether it waited.
    func finishRead(_ count: Int, startedAt start: UInt64) {
        didRead(count)
        Self.update(slowShare, samples: samples, waited: Self.waited(since: start, bytes: count))
    }

    /// Tells whether an access made to read ahead (an open and a read of `bytes`) that started
    /// at `start` waited; from then on, those decide ``storageIsSlow`` too.
    func noteReadAhead(since start: UInt64, bytes: Int) {
        readingAhead.store(true, ordering: .relaxed)
        Self.update(slowShareAhead, samples: samplesAhead, waited: Self.waited(since: start, bytes: bytes))
    }

    /// Whether most recent reads waited for the storage (over 50 µs beyond copying their
    /// bytes, which the page cache does at several GB/s): a cold disk, a network share, a FUSE
    /// mount. More reads in flight then help (``Prefetcher``). A read that was only slow
    /// because its thread was descheduled does not tip it: it takes most of the last few dozen
    /// reads, and at the start most of the first four or more (so that slow storage is seen
    /// after a few reads, not a few dozen). While reading ahead, the reads ahead count on their
    /// own (the workers' then find their data cached, which says nothing of the storage).
    var storageIsSlow: Bool {
        Self.mostWaited(slowShare, samples: samples)
            || (readingAhead.load(ordering: .relaxed) && Self.mostWaited(slowShareAhead, samples: samplesAhead))
    }

    private static func mostWaited(_ share: borrowing Atomic<Int>, samples: borrowing Atomic<Int>) -> Bool {
        samples.load(ordering: .relaxed) >= 4 && share.load(ordering: .relaxed) > 512
    }

    private static func waited(since start: UInt64, bytes: Int) -> Bool {
        let elapsed = now() &- start
        return elapsed > 50_000 + UInt64(bytes) / 4  // 4 bytes a nanosecond: the copy
    }

    /// Moves a share (out of 1024) by one sample: the mean of the samples while there are
    /// fewer than 32, then a moving mean of about the last 32. Racing updates only blur it.
    private static func update(_ share: borrowing Atomic<Int>, samples: borrowing Atomic<Int>, waited: Bool) {
        let seen = samples.load(ordering: .relaxed)
        if seen < 32 { samples.store(seen + 1, ordering: .relaxed) }
        let old = share.load(ordering: .relaxed)
        share.store(old + ((waited ? 1024 : 0) - old) / min(seen + 1, 32), ordering: .relaxed)
    }

    /// Now, in nanoseconds of the monotonic clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
