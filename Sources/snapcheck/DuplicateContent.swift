import SnapCheck

/// Files of equal content in a manifest, found in memory that grows by 12 bytes a file (64 bits
/// of the content's identity, and the size in 32 bits: the few sizes of 4 GiB and more are kept
/// aside, by identity, since equal contents have equal sizes), whatever the number of distinct
/// contents: the pairs are kept in blocks of 65,536 (768 KiB), each sorted when it is full, and
/// read back merged, in which order equal identities are runs. (One growing list would hold up
/// to twice its size, and three times while it grows; sorting it whole would take half its size
/// aside.)
/// The paths of the largest groups come from a second read of the manifest, when it is a file.
///
/// Two contents are taken as equal when the first 64 bits of their identities (a SHA-256 over
/// their chunks' SHA-256) are: for a million files, the chance of any false pair is about
/// 3 in 100 million.
struct DuplicateContent {
    private typealias File = (identity: UInt64, size: UInt64)
    private static let blockSize = 1 << 16
    /// Files as two lists side by side: identities, and sizes (`UInt32.max` for a size in
    /// ``largeSizes``).
    private struct Block {
        var identities: [UInt64] = []
        var sizes: [UInt32] = []

        func file(_ index: Int, largeSizes: [UInt64: UInt64]) -> File {
            let identity = identities[index]
            return (identity, sizes[index] == UInt32.max ? largeSizes[identity, default: 0] : UInt64(sizes[index]))
        }
    }
    /// Full blocks, sorted, and the one being filled.
    private var blocks: [Block] = []
    private var filling = Block()
    /// The sizes of 4 GiB and more, by identity.
    private var largeSizes: [UInt64: UInt64] = [:]

    /// A group of files with equal content.
    struct Group {
        var identity: UInt64
        var copies: Int
        var size: UInt64
        /// Up to three of its paths, once ``collectPaths(_:from:)`` has run.
        var paths: [String] = []

        /// The bytes in copies beyond the first.
        var redundantBytes: UInt64 { UInt64(copies - 1) * size }
    }

    /// Counts `entry` when it is a regular file with content, recorded whole; its chunks give
    /// `contentIdentity` (``ManifestReader/nextWithContentIdentity()``).
    mutating func add(_ entry: TreeEntry, contentIdentity: Digest) {
        guard entry.kind == .file, entry.status == .ok, entry.size > 0 else { return }
        if filling.identities.isEmpty {
            filling.identities.reserveCapacity(Self.blockSize)
            filling.sizes.reserveCapacity(Self.blockSize)
        }
        let identity = Self.identity(contentIdentity)
        filling.identities.append(identity)
        if entry.size < UInt64(UInt32.max) {
            filling.sizes.append(UInt32(entry.size))
        } else {
            filling.sizes.append(UInt32.max)
            largeSizes[identity] = entry.size
        }
        if filling.identities.count == Self.blockSize { closeBlock() }
    }

    private mutating func closeBlock() {
        let order = filling.identities.indices.sorted { filling.identities[$0] < filling.identities[$1] }
        blocks.append(Block(identities: order.map { filling.identities[$0] }, sizes: order.map { filling.sizes[$0] }))
        filling = Block()
    }

    /// The groups (two or more copies), every one counted, the `top` with the most redundant
    /// bytes listed first; the memory of the pairs is given back.
    mutating func groups(top: Int) -> (count: Int, redundantBytes: UInt64, largest: [Group]) {
        if !filling.identities.isEmpty { closeBlock() }
        var count = 0
        var redundant: UInt64 = 0
        var largest = TopList<Group>(capacity: top) { $0.redundantBytes < $1.redundantBytes }
        var run: Group?
        func endRun() {
            guard let group = run, group.copies > 1 else { return }
            count += 1
            redundant += group.redundantBytes
            largest.insert(group)
        }
        Self.forEachInOrder(blocks, largeSizes: largeSizes) { file in
            if run?.identity == file.identity {
                run?.copies += 1
            } else {
                endRun()
                run = Group(identity: file.identity, copies: 1, size: file.size)
            }
        }
        endRun()
        blocks = []
        largeSizes = [:]
        return (count, redundant, largest.sorted)
    }

    /// Calls `body` with every file of the sorted `blocks`, in identity order: a merge, through
    /// a heap of the blocks' next positions.
    private static func forEachInOrder(_ blocks: [Block], largeSizes: [UInt64: UInt64], _ body: (File) -> Void) {
        // (identity, block, position), the smallest identity on top.
        var heap: [(UInt64, Int, Int)] = []
        func less(_ a: (UInt64, Int, Int), _ b: (UInt64, Int, Int)) -> Bool { a.0 < b.0 }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && less(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count && less(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for (index, block) in blocks.enumerated() where !block.identities.isEmpty { heap.append((block.identities[0], index, 0)) }
        for start in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(start) }
        while let (_, block, position) = heap.first {
            body(blocks[block].file(position, largeSizes: largeSizes))
            if position + 1 < blocks[block].identities.count {
                heap[0] = (blocks[block].identities[position + 1], block, position + 1)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }

    /// Fills in up to three paths of each group from `reader` (the same manifest, read again).
    static func collectPaths(_ groups: inout [Group], from reader: ManifestReader) throws {
        var indexes: [UInt64: Int] = [:]
        for (index, group) in groups.enumerated() { indexes[group.identity] = index }
        while let (entry, contentIdentity) = try reader.nextWithContentIdentity() {
            guard entry.kind == .file, entry.status == .ok, entry.size > 0,
                  let index = indexes[identity(contentIdentity)], groups[index].paths.count < 3 else { continue }
            groups[index].paths.append(entry.displayPath)
        }
    }

    private static func identity(_ contentIdentity: Digest) -> UInt64 {
        contentIdentity.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
