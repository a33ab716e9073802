#if canImport(Glibc)
import Glibc
#endif

/// Puts entries that arrive in any order (an archive's members) into ``TreeOrder``, in bounded
/// memory: entries are kept until they hold `budget` bytes, then sorted and written to an
/// unlinked temporary file as one run; the runs and what is left are merged at the end.
///
/// When a path comes twice, the later one wins (as when the archive is extracted).
final class EntrySorter {
    private struct Item {
        var entry: TreeEntry
        var sequence: Int
    }

    private let budget: Int
    private var pending: [Item] = []
    private var pendingBytes = 0
    private var sequence = 0
    private var runs: [Int32] = []

    /// A sorter that keeps at most about `budget` bytes of entries in memory (the default, 32
    /// MiB, keeps a recording's peak within 64 MiB).
    init(budget: Int = 32 << 20) {
        self.budget = budget
    }

    deinit { for run in runs { close(run) } }

    /// Adds an entry.
    func add(_ entry: TreeEntry) throws(SnapCheckError) {
        pending.append(Item(entry: entry, sequence: sequence))
        sequence += 1
        // What the entry takes in memory: the item, its path's and chunks' heap blocks (with
        // their headers and the allocator's rounding).
        pendingBytes += MemoryLayout<Item>.stride + 64 + entry.path.count + (entry.symlinkTarget.map { 48 + $0.count } ?? 0)
            + (entry.chunks.isEmpty ? 0 : 48 + entry.chunks.count * MemoryLayout<Chunk>.stride)
        if pendingBytes >= budget { try spill() }
    }

    /// Calls `body` with every entry in tree order, each path once; can be called again.
    func forEachSorted(_ body: (TreeEntry) throws(SnapCheckError) -> Void) throws(SnapCheckError) {
        sortPending()
        var sources = runs.map(RunReader.init)
        var heads: [TreeEntry?] = try sources.indices.map { (index) throws(SnapCheckError) in try sources[index].next() }
        var memory = 0
        var previous: TreeEntry?
        while true {
            // The smallest head; on a tie the earlier source (runs are in arrival order, memory
            // last), so that of equal paths the one that arrived last comes last, and wins.
            var best: (source: Int, entry: TreeEntry)?
            func consider(_ source: Int, _ entry: TreeEntry) {
                if let current = best, Self.compare(entry, current.entry) >= 0 { return }
                best = (source, entry)
            }
            for (index, head) in heads.enumerated() {
                if let head { consider(index, head) }
            }
            if memory < pending.count { consider(-1, pending[memory].entry) }
            guard let (source, entry) = best else { break }
            if source < 0 { memory += 1 } else { heads[source] = try sources[source].next() }
            if let last = previous, Self.compare(last, entry) != 0 { try body(last) }
            previous = entry
        }
        if let previous { try body(previous) }
    }

    private static func compare(_ a: TreeEntry, _ b: TreeEntry) -> Int {
        TreeOrder.compare(a.path, isDirectory: a.kind == .directory, b.path, isDirectory: b.kind == .directory)
    }

    private func sortPending() {
        pending.sort {
            let order = Self.compare($0.entry, $1.entry)
            return order != 0 ? order < 0 : $0.sequence < $1.sequence
        }
    }

    private func spill() throws(SnapCheckError) {
        sortPending()
        let file = try TemporaryFile.scratch(named: "sort", purpose: "sorting")
        runs.append(file.reader)
        defer { close(file.writer) }
        let sink = DescriptorSink(descriptor: file.writer, label: PathLabel(describing: "<sort run>"))
        var record: [UInt8] = []
        for item in pending {
            // Each record behind its length (4 bytes, little-endian).
            record.removeAll(keepingCapacity: true)
            record.append(contentsOf: [0, 0, 0, 0])
            EntryRecord.encode(item.entry, into: &record)
            withUnsafeBytes(of: UInt32(record.count - 4).littleEndian) { record.replaceSubrange(0..<4, with: $0) }
            try sink.write(record)
        }
        try sink.finish()
        pending.removeAll()
        pendingBytes = 0
    }

    /// Reads one run back from its start, record by record.
    private struct RunReader {
        let descriptor: Int32
        var offset: UInt64 = 0

        init(_ descriptor: Int32) {
            self.descriptor = descriptor
        }

        mutating func next() throws(SnapCheckError) -> TreeEntry? {
            var length: UInt32 = 0
            let header = withUnsafeMutableBytes(of: &length) { Syscall.pread(descriptor, into: $0, at: offset) }
            guard case .success(let count) = header else { throw Self.failure() }
            if count == 0 { return nil }
            guard count == 4 else { throw Self.failure() }
            var record = [UInt8](repeating: 0, count: Int(UInt32(littleEndian: length)))
            let result = record.withUnsafeMutableBytes { Syscall.preadAll(descriptor, into: $0, at: offset + 4) }
            guard case .success(record.count) = result else { throw Self.failure() }
            offset += 4 + UInt64(record.count)
            return EntryRecord.decode(record)
        }

        static func failure() -> SnapCheckError {
            SnapCheckError(.io, "cannot read back a temporary file for sorting", at: PathLabel(describing: "<sort run>"))
        }
    }
}
