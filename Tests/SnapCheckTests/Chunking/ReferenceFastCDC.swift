import Foundation
@testable import SnapCheck

/// A second computation path for the tests: the one-byte-per-step loop of docs/chunking.md, written plainly
/// with checked arithmetic on arrays, sharing nothing with the production loop but the tables
/// (which GearTableTests check against MD5 independently).
enum ReferenceFastCDC {
    static func cut(_ data: ArraySlice<UInt8>, _ parameters: ChunkingParameters) -> Int {
        let n = data.count
        if n <= parameters.minSize { return n }
        let limit = min(n, parameters.maxSize)
        let center = min(n, parameters.avgSize)
        let bits = Int(log2(Double(parameters.avgSize)).rounded())  // fastcdc-rs's f64 rule
        let strict = GearTable.masks[bits + parameters.level]
        let loose = GearTable.masks[bits - parameters.level]
        let start = parameters.minSize / 2 * 2
        let mid = center / 2 * 2
        let end = limit / 2 * 2
        var g: UInt64 = 0
        var i = start
        while i < end {
            g = (g << 1) &+ GearTable.gear[Int(data[data.startIndex + i])]
            let mask = i < mid ? strict : loose
            if g & mask == 0 { return i }
            i += 1
        }
        return limit
    }

    static func boundaries(_ data: [UInt8], _ parameters: ChunkingParameters) -> [ChunkBoundary] {
        var result: [ChunkBoundary] = []
        var offset = 0
        while offset < data.count {
            let length = cut(data[offset...], parameters)
            result.append(ChunkBoundary(offset: UInt64(offset), length: length))
            offset += length
        }
        return result
    }
}
