extension UInt64 {
    /// `self + other`, or `UInt64.max` when the sum does not fit.
    ///
    /// For totals of sizes the kernel reports: each sparse file may claim up to 2^63 − 1 bytes,
    /// so a few of them overflow a 64-bit sum, and a total must never trap.
    package func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
