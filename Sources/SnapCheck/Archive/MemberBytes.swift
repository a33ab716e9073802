/// The current archive member's data, buffered so that it can be taken in pieces of known
/// sizes (the manifest's chunks) and handed on as a stream from any point (to the chunker,
/// after a difference). One buffer serves member after member (``startMember()``).
final class MemberBytes {
    private let members: ArchiveMembers
    private let monitor: ReadMonitor
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false

    /// A buffer of `capacity` bytes over the members of `members`.
    init(_ members: ArchiveMembers, capacity: Int, monitor: ReadMonitor) {
        self.members = members
        self.monitor = monitor
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Starts on the member that `members` has just read the header of.
    func startMember() {
        start = 0
        end = 0
        atEnd = false
    }

    /// The buffer's size: the most ``fill(_:)`` can hold.
    var capacity: Int { buffer.count }

    /// Makes `count` bytes (at most ``capacity``) available, fewer only at the member's end;
    /// returns them.
    func fill(_ count: Int) throws -> UnsafeRawBufferPointer {
        if end - start < count && start > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        while end - start < count && !atEnd {
            let read = try pull(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<min(buffer.count, end + (1 << 20))]))
            if read == 0 { atEnd = true } else { end += read }
        }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + min(count, end - start))])
    }

    /// Passes over `count` bytes made available by ``fill(_:)``.
    func consume(_ count: Int) {
        start += count
    }

    /// Reads from where consumption stopped: what is buffered first, then the archive.
    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        if start < end {
            let count = min(target.count, end - start)
            target.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            start += count
            return count
        }
        return atEnd ? 0 : try pull(into: target)
    }

    /// Passes over the next `count` bytes; returns how many there were (fewer only at the
    /// member's end).
    func pass(over count: UInt64) throws -> UInt64 {
        var left = count
        while left > 0 {
            if start == end {
                start = 0
                end = 0
                if atEnd { break }
                let read = try pull(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, 1 << 20)]))
                if read == 0 { atEnd = true } else { end = read }
                continue
            }
            let step = Int(min(left, UInt64(end - start)))
            start += step
            left -= UInt64(step)
        }
        return count - left
    }

    /// Reads and counts whatever is left of the member.
    func skipRest() throws -> UInt64 {
        var skipped = UInt64(end - start)
        start = end
        while !atEnd {
            let read = try pull(into: buffer)
            if read == 0 { atEnd = true }
            skipped += UInt64(read)
        }
        start = 0
        end = 0
        return skipped
    }

    private func pull(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        try members.read(into: target, monitor: monitor)
    }
}
