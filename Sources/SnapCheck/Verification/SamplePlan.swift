/// Chooses a uniform random sample of chunks without replacement, one pass in manifest order,
/// from a seed: the same seed, manifest and sample size always choose the same chunks.
///
/// This is selection sampling (Knuth, TAOCP vol. 2, 3.4.2, Algorithm S): with `remaining`
/// chunks still to consider and `needed` still to choose, the next chunk is chosen with
/// probability needed / remaining. Every subset of the requested size is equally likely, the
/// chosen chunks come out in manifest order (so reads go file by file, offset by offset), and
/// nothing but two counters and the generator is kept.
struct SamplePlan {
    private var generator: SplitMix64
    private var remaining: UInt64
    private var needed: UInt64

    /// Plans a sample of `sample` chunks out of `total`.
    init(seed: UInt64, total: UInt64, sample: UInt64) {
        generator = SplitMix64(seed: seed)
        remaining = total
        needed = min(sample, total)
    }

    /// The indexes chosen among the next `count` chunks (one file's chunks), ascending.
    mutating func choose(_ count: Int) -> [Int] {
        var chosen: [Int] = []
        // Once the sample is complete nothing more is chosen, so the loop can stop counting.
        for index in 0..<count where needed > 0 && remaining > 0 {
            if generator.next(below: remaining) < needed {
                chosen.append(index)
                needed -= 1
            }
            remaining -= 1
        }
        return chosen
    }
}

/// splitmix64 (Steele, Lea and Flood): a small, fast, well-mixed generator whose output is fixed
/// by its seed, so a sample can be repeated on any machine and Swift version.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0 ..< bound (bound > 0), without modulo bias (Lemire's method).
    mutating func next(below bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }
}
