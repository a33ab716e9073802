/// Groups work items into jobs for an ``OrderedWorkPool``: small items travel together (up to
/// 64 items or 1 MiB of file data per job), because a handshake per tiny file costs more than
/// hashing it; an item of 1 MiB or more is a job of its own.
struct JobBatcher<Item> {
    /// Items per job, at most.
    static var maximumItems: Int { 64 }
    /// File bytes per job before it is sent.
    static var maximumBytes: UInt64 { 1 << 20 }

    private var items: [Item] = []
    private var bytes: UInt64 = 0

    /// Adds an item weighing `weight` bytes; returns the jobs that are ready, in order.
    mutating func add(_ item: Item, weight: UInt64) -> [[Item]] {
        var ready: [[Item]] = []
        if weight >= Self.maximumBytes {
            if let pending = finish() { ready.append(pending) }
            ready.append([item])
            return ready
        }
        items.append(item)
        bytes += weight
        if items.count >= Self.maximumItems || bytes >= Self.maximumBytes, let pending = finish() {
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
            bytes = 0
        }
        return items
    }
}
