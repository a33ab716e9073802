#if canImport(Glibc)
import Glibc
#endif

/// Times as text, in UTC.
enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`
    static func utc(seconds: Int64) -> String {
        var value = time_t(seconds)
        var parts = tm()
        gmtime_r(&value, &parts)
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ`
    static func utc(nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let fraction = String(nanoseconds - seconds * 1_000_000_000)
        let text = utc(seconds: seconds)
        return text.dropLast() + "." + String(repeating: "0", count: 9 - fraction.count) + fraction + "Z"
    }
}
