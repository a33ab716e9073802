/// A file's chunks, in order from its first byte, held compactly: a digest and a 4-byte length
/// each, 36 bytes where a ``Chunk`` takes 48; offsets are counted from the lengths.
///
/// What a manifest run holds for a file between reading it and writing its entry (the entry
/// line, which comes first, says whether the read succeeded): a file of a million chunks
/// costs 36 MB instead of 48.
struct ChunkList: Sendable, Sequence {
    /// The chunks' digests, in order.
    private(set) var digests: [Digest] = []
    private var lengths: [UInt32] = []
    /// The bytes of all chunks: where the next one starts.
    private(set) var total: UInt64 = 0

    /// How many chunks the list holds.
    var count: Int { digests.count }

    /// The bytes the chunks take.
    var heldBytes: Int { count * (MemoryLayout<Digest>.stride + MemoryLayout<UInt32>.stride) }

    /// Makes room for `count` chunks (memory for them is only used as they come).
    mutating func reserveCapacity(_ count: Int) {
        digests.reserveCapacity(count)
        lengths.reserveCapacity(count)
    }

    /// Adds the chunk that follows the last one: it must start where that one ended, and be
    /// at most 4 GiB long (chunking allows 16 MiB).
    mutating func append(_ chunk: Chunk) {
        precondition(chunk.offset == total && chunk.length >= 0 && chunk.length <= Int(UInt32.max), "chunks out of order")
        digests.append(chunk.digest)
        lengths.append(UInt32(chunk.length))
        total += UInt64(chunk.length)
    }

    /// The chunks in order, with their offsets.
    func makeIterator() -> Iterator {
        Iterator(list: self)
    }

    /// Gives the chunks of a ``ChunkList`` in order.
    struct Iterator: IteratorProtocol {
        fileprivate let list: ChunkList
        private var index = 0
        private var offset: UInt64 = 0

        fileprivate init(list: ChunkList) {
            self.list = list
        }

        /// The next chunk, or nil after the last.
        mutating func next() -> Chunk? {
            guard index < list.digests.count else { return nil }
            let length = Int(list.lengths[index])
            defer {
                index += 1
                offset += UInt64(length)
            }
            return Chunk(offset: offset, length: length, digest: list.digests[index])
        }
    }
}
