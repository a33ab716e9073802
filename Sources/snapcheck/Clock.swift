#if canImport(Glibc)
import Glibc
#endif

/// Monotonic seconds, for elapsed times and rates.
enum Clock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
