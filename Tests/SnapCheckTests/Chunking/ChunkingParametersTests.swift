import Foundation
import Testing
@testable import SnapCheck

struct ChunkingParametersTests {
    @Test(arguments: [
        (63, 256, 1024, 1), (64, 255, 1024, 1), (64, 256, 1023, 1), (2_000_000, 4_000_000, 8_000_000, 1),
        (64, 4_194_305, 16_777_216, 1), (64, 256, 16_777_217, 1), (64, 256, 1024, 4), (64, 256, 1024, -1),
        (4096, 2048, 8192, 1), (2048, 8192, 4096, 1),
    ])
    func rejectsOutOfRangeOrOrder(_ values: (Int, Int, Int, Int)) {
        do {
            _ = try ChunkingParameters(minSize: values.0, avgSize: values.1, maxSize: values.2, level: values.3)
            Issue.record("accepted \(values)")
        } catch {
            #expect(error.code == .invalidParameters)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func acceptsTheBoundsAndTheDefaults() throws {
        _ = try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024, level: 0)
        _ = try ChunkingParameters(minSize: 1_048_576, avgSize: 4_194_304, maxSize: 16_777_216, level: 3)
        let defaults = ChunkingParameters.default
        #expect(defaults.minSize == 262_144 && defaults.avgSize == 1_048_576)
        #expect(defaults.maxSize == 4_194_304 && defaults.level == 1)
    }

    /// docs/chunking.md, "Masks": the integer rule equals f64 rounding of log2 for every allowed avg.
    @Test func maskBitsEqualRoundedLog2() throws {
        #expect(try ChunkingParameters(minSize: 64, avgSize: 8192, maxSize: 65536).maskBits == 13)
        #expect(try ChunkingParameters(minSize: 64, avgSize: 12288, maxSize: 65536).maskBits == 14)
        #expect(try ChunkingParameters(minSize: 64, avgSize: 10000, maxSize: 65536).maskBits == 13)
        #expect(try ChunkingParameters(minSize: 64, avgSize: 1500, maxSize: 65536).maskBits == 11)
        var mismatches = 0
        for avg in stride(from: 256, through: 4_194_304, by: 1) {
            let b = Int.bitWidth - 1 - avg.leadingZeroBitCount
            let integer = avg * avg >= 1 << (2 * b + 1) ? b + 1 : b
            if integer != Int(log2(Double(avg)).rounded()) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // And the production property uses that rule.
        for avg in [256, 257, 362, 363, 1448, 1449, 4_194_304] {
            let parameters = try ChunkingParameters(minSize: 64, avgSize: avg, maxSize: 16_777_216)
            #expect(parameters.maskBits == Int(log2(Double(avg)).rounded()), "avg \(avg)")
        }
    }
}
