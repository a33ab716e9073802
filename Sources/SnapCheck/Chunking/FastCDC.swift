/// FastCDC 2020 content-defined chunking, with the exact cut points of fastcdc-rs `v2020`.
///
/// A `FastCDC` value holds the masks derived from one set of ``ChunkingParameters``; finding a
/// cut point needs no other state, so one value can be shared by any number of threads.
///
/// ```swift
/// let cdc = FastCDC(.default)
/// let boundaries = bytes.withUnsafeBytes { cdc.boundaries(of: $0) }
/// ```
public struct FastCDC: Sendable {
    /// The parameters these masks were derived from.
    public let parameters: ChunkingParameters

    // Before the center: the strict ("small") mask; from the center on: the loose one. The
    // `Shifted` variants test the first byte of each two-byte step (docs/chunking.md, end of "Cutting one chunk").
    private let maskStrict: UInt64
    private let maskLoose: UInt64
    private let maskStrictShifted: UInt64
    private let maskLooseShifted: UInt64

    /// Derives the masks for `parameters`.
    public init(_ parameters: ChunkingParameters) {
        self.parameters = parameters
        let bits = parameters.maskBits
        maskStrict = GearTable.masks[bits + parameters.level]
        maskLoose = GearTable.masks[bits - parameters.level]
        maskStrictShifted = maskStrict << 1
        maskLooseShifted = maskLoose << 1
    }

    /// Returns the length of the chunk that starts at the beginning of `window`.
    ///
    /// `window` must hold every byte up to the end of the input, or at least
    /// ``ChunkingParameters/maxSize`` bytes: the result depends only on
    /// min(count, maxSize), so any longer window gives the same answer.
    ///
    /// - Returns: a length in 1 ... maxSize, or 0 for an empty window.
    public func cutPoint(in window: UnsafeRawBufferPointer) -> Int {
        guard let base = window.baseAddress else { return 0 }
        return cutPoint(base.assumingMemoryBound(to: UInt8.self), count: window.count)
    }

    /// The cut loop: two bytes per step, as fastcdc-rs `cut_gear` (docs/chunking.md, end of "Cutting one chunk").
    ///
    /// Wrapping arithmetic (`&+`, `&<<`) is both the algorithm (sums modulo 2^64) and the reason
    /// the loop has no overflow checks; the tables are read through a raw pointer, so there are
    /// no bounds checks or reference counting either.
    func cutPoint(_ bytes: UnsafePointer<UInt8>, count: Int) -> Int {
        let minSize = parameters.minSize
        if count <= minSize { return count }
        let limit = Swift.min(count, parameters.maxSize)
        let center = Swift.min(count, parameters.avgSize)
        let gear = GearTable.pointer
        let gearShifted = GearTable.pointer + 256
        var hash: UInt64 = 0
        var pair = minSize &>> 1
        let centerPairs = center &>> 1
        let limitPairs = limit &>> 1
        while pair < centerPairs {
            let index = pair &<< 1
            hash = (hash &<< 2) &+ gearShifted[Int(bytes[index])]
            if hash & maskStrictShifted == 0 { return index }
            hash = hash &+ gear[Int(bytes[index &+ 1])]
            if hash & maskStrict == 0 { return index &+ 1 }
            pair &+= 1
        }
        while pair < limitPairs {
            let index = pair &<< 1
            hash = (hash &<< 2) &+ gearShifted[Int(bytes[index])]
            if hash & maskLooseShifted == 0 { return index }
            hash = hash &+ gear[Int(bytes[index &+ 1])]
            if hash & maskLoose == 0 { return index &+ 1 }
            pair &+= 1
        }
        return limit
    }

    /// Splits a whole in-memory input into chunks.
    ///
    /// - Returns: the chunks' offsets and lengths, in order; empty for an empty input.
    public func boundaries(of bytes: UnsafeRawBufferPointer) -> [ChunkBoundary] {
        var result: [ChunkBoundary] = []
        var offset = 0
        while offset < bytes.count {
            let length = cutPoint(in: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            result.append(ChunkBoundary(offset: UInt64(offset), length: length))
            offset += length
        }
        return result
    }
}
