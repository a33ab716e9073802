#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open files, which deep trees run into.
///
/// Files are opened relative to their directory, never by a long path, so a walk keeps
/// directories open: the nearest levels of the path it is in (at most 32, fewer under a low
/// limit; the others are opened again on the way back) and the directories of the files
/// waiting for a worker (at most 128 together, fewer under a low limit), and every worker
/// thread has one file open. So any depth works within the common soft limit of 1,024, and
/// far below it. The library never changes the limit by itself, since it belongs to the whole
/// process; a host may call ``raiseToHardLimit()`` once (the `snapcheck` tool does, at start)
/// or set the limit its own way.
public enum OpenFileLimit {
    /// The current soft limit (the one that applies), or nil if it cannot be read.
    public static var current: UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// Raises the process's soft limit on open files to its hard limit. This changes the whole
    /// process (every thread, and programs it starts later), which is why the library never
    /// does it unasked.
    ///
    /// - Returns: the soft limit now in force, or nil if it cannot be read.
    @discardableResult
    public static func raiseToHardLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current
    }
}
