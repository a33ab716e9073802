import Synchronization

/// An archive read and decompressed on a thread of its own, a few MiB ahead, while the caller
/// cuts and hashes: decompression (zlib, zstd, …) and hashing then use two cores instead of
/// taking turns on one.
///
/// The same interface as ``ArchiveReader``: ``next()`` for the next member's header,
/// ``read(into:)`` for its data. At most `capacity` blocks of 1 MiB wait between the threads.
/// Used for compressed archives only: reading a plain tar is a copy, cheaper than the handover.
final class ArchiveStream: ArchiveMembers {
    /// What the reading thread hands over, in order.
    private enum Event: Sendable {
        case member(ArchiveMember)
        /// A block of 1 MiB, of which the first `count` bytes hold data.
        case data([UInt8], count: Int)
        case endOfData
        case damage(ArchiveReader.Damage)
    }

    /// Blocks the consumer is done with, for the reading thread to fill again (fresh blocks of
    /// 1 MiB would cost a page fault every 4 kB).
    private final class BlockPool: Sendable {
        private let blocks = Mutex<[[UInt8]]>([])

        func take() -> [UInt8] {
            blocks.withLock { $0.popLast() } ?? [UInt8](repeating: 0, count: 1 << 20)
        }

        func give(_ block: consuming [UInt8]) {
            let returned = block
            blocks.withLock { if $0.count < 16 { $0.append(returned) } }
        }
    }

    private let events: ReadAhead<Event, Void>
    private let pool = BlockPool()
    /// The block being handed out by ``read(into:)``, its data's length, and how far.
    private var block: [UInt8] = []
    private var count = 0
    private var position = 0
    /// Whether the current member's data has been read to its end.
    private var atEndOfData = true

    /// One: the thread that reads and decodes.
    var readingThreads: Int { 1 }

    /// The members of the archive on `descriptor`: read on a thread of their own when the
    /// archive is compressed, on the caller's otherwise.
    ///
    /// - Throws: ``SnapCheckError/Code/wrongFileType`` when the bytes are not an archive.
    static func members(descriptor: Int32, label: PathLabel) throws(SnapCheckError) -> ArchiveMembers {
        let reader = try ArchiveReader(descriptor: descriptor, label: label)
        guard reader.isCompressed else { return reader }
        return ArchiveStream(Handover(value: reader))
    }

    /// Starts reading the handed-over reader on a new thread, which owns it from now on.
    private init(_ handover: Handover<ArchiveReader>, capacity: Int = 4) {
        let pool = self.pool
        events = ReadAhead(capacity: capacity, batchSize: 1) { (emit) throws(SnapCheckError) in
            let reader = handover.value
            do {
                while let member = try reader.next() {
                    try emit(.member(member))
                    while true {
                        // Read straight into the block handed over: no copy on this side.
                        var block = pool.take()
                        let count = try block.withUnsafeMutableBytes { try reader.read(into: $0) }
                        if count == 0 {
                            pool.give(block)
                            break
                        }
                        try emit(.data(block, count: count))
                    }
                    try emit(.endOfData)
                }
            } catch let error as SnapCheckError {
                // Not an archive at all, or the consumer went away.
                throw error
            } catch let damage as ArchiveReader.Damage {
                try emit(.damage(damage))
            } catch {
                throw SnapCheckError(.io, "\(error)")
            }
        }
    }

    /// The next member's header (the rest of the current member's data is passed over), or nil
    /// at the end of the archive.
    ///
    /// - Throws: ``ArchiveReader/Damage`` where the archive breaks off; ``SnapCheckError``
    ///   when the input is not an archive.
    func next() throws -> ArchiveMember? {
        while let event = try events.next() {
            switch event {
            case .member(let member):
                atEndOfData = false
                recycle()
                return member
            case .damage(let damage):
                throw damage
            case .data(let skipped, _):
                pool.give(skipped)
            case .endOfData:
                continue
            }
        }
        return nil
    }

    /// Reads the current member's data into `target`; 0 at its end.
    ///
    /// - Throws: ``ArchiveReader/Damage`` when the data breaks off.
    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        while position == count {
            if atEndOfData { return 0 }
            switch try events.next() {
            case .data(let bytes, let length)?:
                recycle()
                block = bytes
                count = length
            case .damage(let damage)?:
                throw damage
            case .endOfData?, nil:
                atEndOfData = true
                return 0
            case .member?:
                preconditionFailure("a member's header came before the end of the previous member's data")
            }
        }
        let taken = min(target.count, count - position)
        block.withUnsafeBytes { source in
            target.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: taken)
        }
        position += taken
        return taken
    }

    /// Gives the current block back to the reading thread.
    private func recycle() {
        if !block.isEmpty { pool.give(block) }
        block = []
        count = 0
        position = 0
    }
}
