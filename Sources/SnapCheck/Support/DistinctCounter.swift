/// Estimates how many distinct digests it has seen, in 16 KiB whatever their number
/// (HyperLogLog with 2^14 registers: a standard error of about 0.8%; linear counting, nearly
/// exact, while the count is small).
package struct DistinctCounter {
    private static let registerBits = 14
    package init() {}

    private var registers = [UInt8](repeating: 0, count: 1 << registerBits)

    /// Records one digest (its bits are already uniformly distributed).
    package mutating func insert(_ digest: Digest) {
        let word = digest.words.0
        let index = Int(word >> UInt64(64 - Self.registerBits))
        let rest = word << UInt64(Self.registerBits)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - Self.registerBits) + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    /// The estimated number of distinct digests.
    package var estimate: Int {
        let m = Double(registers.count)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1.0 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m && zeros > 0 {
            return Int((m * log(m / Double(zeros))).rounded())
        }
        return Int(raw.rounded())
    }
}

#if canImport(Glibc)
import Glibc
#endif
