import Synchronization

/// A large regular file whose verification is split into parts, so that one big file keeps
/// every worker busy.
///
/// While bytes match, a file is checked at the manifest's chunk offsets, so any range of its
/// chunks can be checked on its own: each part is a job for the pool. The worker that finishes
/// the last part (whichever part that is) decides the file's verdict; if any part saw a
/// difference, it checks the file whole, with resynchronisation, so that the reported ranges
/// are exact.
final class SplitFile: Sendable {
    /// Files at least this large are split, into parts of about this many bytes each.
    static let partBytes: UInt64 = 16 << 20

    /// The manifest's entry.
    let expected: TreeEntry
    /// The target's entry.
    let walked: TargetEntry
    /// The chunk indexes of each part.
    let parts: [Range<Int>]
    private let state: Mutex<(remaining: Int, failed: Bool)>

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
        state = Mutex((parts.count, false))
    }

    /// Records one part's result; for the last part to finish, returns whether all passed.
    func finish(passed: Bool) -> Bool? {
        state.withLock { state in
            state.remaining -= 1
            if !passed { state.failed = true }
            return state.remaining == 0 ? !state.failed : nil
        }
    }
}
