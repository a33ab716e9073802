#if canImport(Glibc)
import Glibc
#endif

/// A file time exactly as the kernel reports it: whole seconds since 1970-01-01T00:00:00Z
/// (negative before) and nanoseconds within that second.
///
/// Every `timespec` the kernel can return is representable: a single 64-bit count of
/// nanoseconds covers only the years 1677 to 2262, and a file touched with
/// `touch -d 2300-01-01` lies outside it. Manifests write a time as one decimal count of
/// nanoseconds, `seconds × 10⁹ + nanoseconds`, of any width (see docs/manifest-format.md), so
/// manifests written before this type existed read unchanged.
public struct FileTime: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Whole seconds since the Unix epoch; negative before it.
    public var seconds: Int64
    /// Nanoseconds after ``seconds``, 0 ... 999,999,999.
    public var nanoseconds: UInt32

    /// The earliest time: `Int64.min` seconds.
    public static let min = FileTime(seconds: .min, nanoseconds: 0)
    /// The latest time: `Int64.max` seconds and 999,999,999 nanoseconds.
    public static let max = FileTime(seconds: .max, nanoseconds: 999_999_999)

    /// Creates a time from seconds and nanoseconds.
    ///
    /// - Precondition: `nanoseconds` is below 1,000,000,000.
    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        precondition(nanoseconds < 1_000_000_000, "nanoseconds must be below one second")
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Creates a time from a count of nanoseconds since the epoch; nil when its seconds do not
    /// fit in 64 bits.
    public init?(totalNanoseconds: Int128) {
        let (quotient, remainder) = totalNanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        // Floor division: -1 ns is second -1 plus 999,999,999 ns.
        let seconds = remainder < 0 ? quotient - 1 : quotient
        let fraction = remainder < 0 ? remainder + 1_000_000_000 : remainder
        guard let whole = Int64(exactly: seconds) else { return nil }
        self.init(seconds: whole, nanoseconds: UInt32(fraction))
    }

    /// The time as one count of nanoseconds since the epoch (the manifest's form); always fits.
    public var totalNanoseconds: Int128 { Int128(seconds) * 1_000_000_000 + Int128(nanoseconds) }

    /// The time of a `stat` result's `timespec`.
    init(_ time: timespec) {
        // tv_nsec is 0 ... 999,999,999 for every time a file system stores; clamp rather than
        // trap if a broken one returns more.
        self.init(seconds: Int64(time.tv_sec), nanoseconds: UInt32(clamping: Swift.min(Swift.max(time.tv_nsec, 0), 999_999_999)))
    }

    /// Earlier first.
    public static func < (lhs: FileTime, rhs: FileTime) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ` in UTC, for any year (see `Timestamp`).
    public var description: String { Timestamp.utc(self) }
}
