/// An order of digests (by their bytes), to sort a list of them in place and search it: how a
/// file's chunk digests become a set that costs nothing beyond the list itself.
extension Digest {
    /// Whether `a` comes before `b`: by their bytes, first to last.
    static func precedes(_ a: Digest, _ b: Digest) -> Bool {
        (a.words.0, a.words.1, a.words.2, a.words.3) < (b.words.0, b.words.1, b.words.2, b.words.3)
    }

    /// Sorts `digests` by ``precedes(_:_:)`` in place, in O(n log n) whatever their order
    /// (a heapsort: the standard library's sort borrows a buffer of half the list, 16 MB for a
    /// file of a million chunks).
    static func sortInPlace(_ digests: inout [Digest]) {
        digests.withUnsafeMutableBufferPointer { heap in
            /// Moves the digest at `root` down until it precedes none below it, up to `end`.
            func siftDown(_ root: Int, _ end: Int) {
                var parent = root
                while true {
                    var larger = 2 * parent + 1
                    guard larger < end else { return }
                    if larger + 1 < end && precedes(heap[larger], heap[larger + 1]) { larger += 1 }
                    guard precedes(heap[parent], heap[larger]) else { return }
                    heap.swapAt(parent, larger)
                    parent = larger
                }
            }
            for root in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(root, heap.count) }
            for end in stride(from: heap.count - 1, to: 0, by: -1) {
                heap.swapAt(0, end)
                siftDown(0, end)
            }
        }
    }

    /// Whether `digests`, sorted by ``precedes(_:_:)``, holds `digest` (a binary search).
    static func sorted(_ digests: [Digest], contains digest: Digest) -> Bool {
        var low = 0
        var high = digests.count
        while low < high {
            let middle = low + (high - low) / 2
            if precedes(digests[middle], digest) { low = middle + 1 } else { high = middle }
        }
        return low < digests.count && digests[low] == digest
    }
}
