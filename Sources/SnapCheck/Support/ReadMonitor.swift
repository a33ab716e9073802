import Synchronization

/// What the worker threads of one job share about their reads: the job's ``Cancellation``,
/// looked at before every read, and a running count of the bytes read, which progress reports
/// show while a large file is still being read.
final class ReadMonitor: Sendable {
    /// The job's cancellation, if it has one.
    let cancellation: Cancellation?
    private let counted = Atomic<UInt64>(0)

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
}
