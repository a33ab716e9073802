extension Duration {
    /// The duration in whole nanoseconds (at least 1).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return max(1, UInt64(clamping: seconds) &* 1_000_000_000 &+ UInt64(clamping: attoseconds / 1_000_000_000))
    }
}
