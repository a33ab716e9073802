#if canImport(Glibc)
import Glibc
#endif

/// Times as text, in UTC.
enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`. Years before 1 or after 9999 are written as a signed number
    /// (`-0042-…`, `+292277026596-…`); a time too far out for the C library's calendar is
    /// written as `@SECONDSs`, never wrongly.
    static func utc(seconds: Int64) -> String {
        var value = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&value, &parts) != nil else { return "@\(seconds)s" }
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        // tm_year counts from 1900 and may be near Int32.max: widen before adding.
        let year = Int64(parts.tm_year) + 1900
        let digits = String(year.magnitude)
        var yearText = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
        if year < 0 { yearText = "-" + yearText } else if year > 9999 { yearText = "+" + yearText }
        return "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ`
    static func utc(_ time: FileTime) -> String {
        let digits = String(time.nanoseconds)
        let fraction = "." + String(repeating: "0", count: 9 - digits.count) + digits
        let text = utc(seconds: time.seconds)
        return text.dropLast() + fraction + String(text.last!)
    }
}
