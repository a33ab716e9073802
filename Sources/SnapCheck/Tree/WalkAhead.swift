/// A ``TreeWalker`` walking on a thread of its own, a bounded distance ahead of whoever takes
/// its entries: on a cold disk or a network share, examining every name (`fstatat`, a disk
/// read or a round trip each) costs as much as reading the files, and this way the walk goes on
/// while the reads are waited for instead of taking turns with them.
///
/// At most a few thousand entries wait, and, because each one keeps its directory open, they
/// span at most a share of the directories a walk may hold open (32, or an eighth of the limit
/// on open files if that is less): a deep tree does not run out of descriptors.
final class WalkAhead {
    private let batches: ReadAhead<[WalkedEntry], Void>
    /// The batch being taken, last entry first: taking an entry with `popLast` moves it out,
    /// where reading it in place would copy it (and count every reference it holds up and down).
    private var current: [WalkedEntry] = []

    /// Batches waiting at most, besides the one being filled and the one being taken.
    private static let capacity = 4

    /// Starts walking `walker` (which belongs to the walking thread from then on: nothing else
    /// may use it).
    init(_ walker: TreeWalker) {
        let directoriesPerBatch = max(1, min(32, Int(clamping: OpenFileLimit.current ?? 1024) / 8) / (Self.capacity + 2))
        let owned = Owned(walker)
        batches = ReadAhead(capacity: Self.capacity, batchSize: 1) { (emit) throws(SnapCheckError) in
            var batch: [WalkedEntry] = []
            batch.reserveCapacity(256)
            var directories = 0
            var last: ObjectIdentifier?
            /// Hands `batch` over, turned around for `next()`, and starts an empty one.
            func handOver() throws(SnapCheckError) {
                batch.reverseByMoving()
                try emit(batch)
                batch = []
                batch.reserveCapacity(256)
                directories = 0
            }
            while let walked = owned.walker.next() {
                if ObjectIdentifier(walked.directory) != last {
                    if directories == directoriesPerBatch { try handOver() }
                    directories += 1
                    last = ObjectIdentifier(walked.directory)
                }
                batch.append(walked)
                if batch.count == 256 {
                    try handOver()
                    last = nil
                }
            }
            if !batch.isEmpty { try handOver() }
        }
    }

    /// The next entry in tree order, or nil at the end of the walk.
    func next() -> WalkedEntry? {
        while current.isEmpty {
            // The walk never fails (what it cannot read, it reports in its entries), so the
            // only error is a cancellation, which only this object's deinit asks for.
            guard let batch = try? batches.next() else { return nil }
            current = consume batch  // held twice, the first popLast would copy it whole
        }
        return current.popLast()
    }

    /// The walker, handed to the walking thread.
    private struct Owned: @unchecked Sendable {
        // @unchecked: a TreeWalker is not safe to share, and it is not shared: ``WalkAhead``
        // takes it from its creator, and only the walking thread uses it from then on.
        let walker: TreeWalker
        init(_ walker: TreeWalker) { self.walker = walker }
    }
}
