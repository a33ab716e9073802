/// The paths of the jobs an ``OrderedWorkPool`` holds, oldest first, so that a progress report
/// can name the entry the run is waiting on (a large file being read) rather than the one the
/// walk has reached further on.
///
/// One path per job (its last entry: a large file travels alone), at most the pool's window of
/// them; nothing at all when nobody asked for progress.
struct InFlightPaths {
    private let tracking: Bool
    private var paths: [[UInt8]] = []
    private var head = 0

    /// Paths that are kept only when `tracking` (when there is a progress handler).
    init(tracking: Bool) {
        self.tracking = tracking
    }

    /// A job was submitted whose last entry has `path` (looked at only when tracking).
    mutating func submitted(_ path: @autoclosure () -> [UInt8]) {
        guard tracking else { return }
        if head > 64 {
            paths.removeFirst(head)
            head = 0
        }
        paths.append(path())
    }

    /// The oldest job's result was delivered.
    mutating func delivered() {
        if tracking && head < paths.count { head += 1 }
    }

    /// The path of the oldest job not yet delivered, if any.
    var oldest: [UInt8]? { head < paths.count ? paths[head] : nil }
}
