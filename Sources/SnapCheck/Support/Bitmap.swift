/// One bit per item (125 kB for a million): which earlier proofs a rolling spot-check keeps,
/// which manifest entries an archive's members matched.
struct Bitmap: Sendable {
    private var words: [UInt64]
    /// How many bits are set.
    private(set) var count = 0

    init(size: Int) { words = Array(repeating: 0, count: (size + 63) / 64) }

    subscript(index: Int) -> Bool { words[index / 64] & (1 << UInt64(index % 64)) != 0 }

    mutating func set(_ index: Int) {
        guard !self[index] else { return }
        words[index / 64] |= 1 << UInt64(index % 64)
        count += 1
    }
}
