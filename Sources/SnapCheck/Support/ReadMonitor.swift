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
    /// A moving average of what reads take beyond copying their bytes, in nanoseconds.
    private let waiting = Atomic<UInt64>(0)

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

    /// ``didRead(_:)`` for a read that started at `start`: also feeds the average wait.
    func finishRead(_ count: Int, startedAt start: UInt64) {
        didRead(count)
        // Beyond the copy (page cache: several GB/s, 4 bytes a nanosecond here), the wait.
        let elapsed = Self.now() &- start
        let copy = UInt64(count) / 4
        let sample = elapsed > copy ? elapsed - copy : 0
        // An average over about the last 16 reads; racing updates only blur it.
        let old = waiting.load(ordering: .relaxed)
        waiting.store(old - old / 16 + sample / 16, ordering: .relaxed)
    }

    /// Whether reads wait for the storage (more than 40 µs each, on average, beyond copying):
    /// more reads in flight then help (``Prefetcher``). From the page cache a small read
    /// takes a few microseconds.
    var storageIsSlow: Bool { waiting.load(ordering: .relaxed) > 40_000 }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
