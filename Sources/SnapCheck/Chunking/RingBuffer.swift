internal import CSnapCheckSystem
#if canImport(Glibc)
import Glibc
#endif

/// A buffer whose bytes appear twice in a row in memory, so that the `size` bytes from any
/// offset in the first half are one contiguous run even where they wrap around the ring's end:
/// a chunk that wraps is still one pointer and a length, for the cut-point search and for
/// SHA-256, and no byte is moved to make room.
///
/// The same pages are mapped at `base` and at `base + size` (an anonymous memory file,
/// `memfd_create`, mapped twice). Where the system refuses that, the ring is a plain buffer of
/// twice the size whose halves ``wrote(at:count:)`` keeps equal by copying: slower, the same
/// bytes.
final class RingBuffer {
    /// The first half; the byte at `base + i` is the byte at `base + size + i`.
    let base: UnsafeMutableRawPointer
    /// The ring's size in bytes: a multiple of the page size.
    let size: Int
    /// Whether both halves are the same pages (false: a plain buffer kept equal by copying).
    let isMappedTwice: Bool

    /// A ring of at least `minimumSize` bytes; `mappingTwice: false` makes the plain buffer
    /// (for tests).
    init(minimumSize: Int, mappingTwice: Bool = true) {
        let page = max(4096, sysconf(Int32(_SC_PAGESIZE)))
        size = (minimumSize + page - 1) / page * page
        if mappingTwice, let mapped = Self.mapTwice(size) {
            base = mapped
            isMappedTwice = true
        } else {
            base = .allocate(byteCount: 2 * size, alignment: page)
            isMappedTwice = false
        }
    }

    deinit {
        if isMappedTwice { munmap(base, 2 * size) } else { base.deallocate() }
    }

    /// Call after writing `count` bytes (at most `size`) at `base + position` (below `size`;
    /// they may run on into the second half): the other half gets them too.
    func wrote(at position: Int, count: Int) {
        guard !isMappedTwice else { return }
        let inFirstHalf = min(count, size - position)
        memcpy(base + size + position, base + position, inFirstHalf)
        if count > inFirstHalf { memcpy(base, base + size, count - inFirstHalf) }
    }

    /// Reserves `2 × size` bytes of addresses and maps one memory file of `size` bytes into
    /// each half; nil when any step fails.
    private static func mapTwice(_ size: Int) -> UnsafeMutableRawPointer? {
        let descriptor = snapcheck_memfd_create("snapcheck-ring")
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }  // the mappings keep the memory
        guard ftruncate(descriptor, off_t(size)) == 0,
              let reserved = mmap(nil, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), reserved != MAP_FAILED else {
            return nil
        }
        for half in [reserved, reserved + size]
        where mmap(half, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, descriptor, 0) == MAP_FAILED {
            munmap(reserved, 2 * size)
            return nil
        }
        return reserved
    }
}
