#if canImport(Glibc)
import Glibc
#endif

/// Seconds: monotonic for elapsed times and rates, wall-clock for timestamps.
enum Clock {
    /// Monotonic seconds (for durations).
    static func now() -> Double { seconds(CLOCK_MONOTONIC) }

    /// Seconds since the Unix epoch (for timestamps people and monitoring read).
    static func wallTime() -> Double { seconds(CLOCK_REALTIME) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
