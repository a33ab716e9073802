/// Groups work items into jobs for an ``OrderedWorkPool``: small items travel together (up to
/// 64 items or 1 MiB of file data per job), because a handshake per tiny file costs more than
/// hashing it; an item of 1 MiB or more is a job of its own.
///
/// The first jobs are smaller (1 item, then 2, 4, … up to 64): until the first reads show
/// whether the storage is slow, nothing is read ahead, and a worker reads its job's files one
/// after the other; on a network share a first job of 64 files would take 64 round trips
/// before the reads ahead could help it.
struct JobBatcher<Item> {
    /// Items per job, at most.
    static var maximumItems: Int { 64 }
    /// File bytes per job before it is sent.
    static var maximumBytes: UInt64 { 1 << 20 }

    /// Directories per job, at most: each item of a tree keeps its directory open until it is
    /// done, so the jobs in flight must not hold more directories than there are descriptors
    /// to spare, whatever the tree's shape (a file at each level of a deep tree).
    let maximumDirectories: Int

    private var items: [Item] = []
    /// Items in the job being filled, at most: doubles with every job sent.
    private var itemLimit = 1
    private var bytes: UInt64 = 0
    private var directories = 0
    private var lastDirectory: ObjectIdentifier?

    /// A batcher for a pool that holds `jobsInFlight` jobs: together they keep at most 128
    /// directories open, or a quarter of the process's limit on open files if that is less.
    init(jobsInFlight: Int = 8) {
        let budget = min(128, Int(clamping: OpenFileLimit.current ?? 1024) / 4)
        maximumDirectories = max(1, budget / (jobsInFlight + 1))
    }

    /// Adds an item weighing `weight` bytes, which keeps `directory` open (if any); returns
    /// the jobs that are ready, in order.
    mutating func add(_ item: Item, weight: UInt64, directory: DirectoryHandle? = nil) -> [[Item]] {
        var ready: [[Item]] = []
        if weight >= Self.maximumBytes {
            if let pending = finish() { ready.append(pending) }
            ready.append([item])
            return ready
        }
        if let directory, ObjectIdentifier(directory) != lastDirectory {
            if directories >= maximumDirectories, let pending = finish() { ready.append(pending) }
            directories += 1
            lastDirectory = ObjectIdentifier(directory)
        }
        items.append(item)
        bytes += weight
        if items.count >= itemLimit || bytes >= Self.maximumBytes, let pending = finish() {
            ready.append(pending)
        }
        return ready
    }

    /// Whether no item waits to be sent.
    var isEmpty: Bool { items.isEmpty }

    /// The items not yet sent, as one job, if any.
    mutating func finish() -> [Item]? {
        guard !items.isEmpty else { return nil }
        defer {
            items = []
            itemLimit = min(itemLimit * 2, Self.maximumItems)
            bytes = 0
            directories = 0
            lastDirectory = nil
        }
        return items
    }
}
