import Synchronization

/// A large regular file whose verification is split into parts, so that one big file keeps
/// every worker busy.
///
/// While bytes match, a file is checked at the manifest's chunk offsets, so any range of its
/// chunks can be checked on its own: each part is a job for the pool. The worker that finishes
/// the last part (whichever part that is) decides the file's verdict; if any part saw a
/// difference, it checks the file again with resynchronisation, so that the reported ranges
/// are exact, passing over the parts that passed where it is in step with the manifest: a
/// damaged chunk costs one more read of its part, not of the file.
final class SplitFile: Sendable {
    /// Files at least this large are split, into parts of about this many bytes each.
    static let partBytes: UInt64 = 16 << 20

    /// The manifest's entry.
    let expected: TreeEntry
    /// The target's entry.
    let walked: TargetEntry
    /// The chunk indexes of each part.
    let parts: [Range<Int>]
    /// Parts still to finish, and the parts that passed.
    private let state: Mutex<(remaining: Int, passed: Set<Int>)>

    /// Splits `expected` when it is large enough to be worth it; nil otherwise.
    init?(_ expected: TreeEntry, _ walked: TargetEntry) {
        guard expected.size >= 2 * Self.partBytes else { return nil }
        var parts: [Range<Int>] = []
        var start = 0
        var bytes: UInt64 = 0
        for (index, chunk) in expected.chunks.enumerated() {
            bytes += UInt64(chunk.length)
            if bytes >= Self.partBytes {
                parts.append(start..<(index + 1))
                start = index + 1
                bytes = 0
            }
        }
        if start < expected.chunks.count { parts.append(start..<expected.chunks.count) }
        guard parts.count > 1 else { return nil }
        self.expected = expected
        self.walked = walked
        self.parts = parts
        state = Mutex((parts.count, []))
    }

    /// Records part `part`'s result; for the last part to finish, returns the chunk ranges of
    /// the parts that passed (all of them when the file is intact).
    func finish(_ part: Int, passed: Bool) -> [Range<Int>]? {
        state.withLock { state in
            state.remaining -= 1
            if passed { state.passed.insert(part) }
            return state.remaining == 0 ? state.passed.sorted().map { parts[$0] } : nil
        }
    }
}
