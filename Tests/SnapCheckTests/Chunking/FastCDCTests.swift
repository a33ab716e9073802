import Testing
@testable import SnapCheck

/// The production cut loop against pyfastcdc's chunk lists and against the one-byte reference.
struct FastCDCTests {
    static let cases = (try? FixtureCase.all()) ?? []

    @Test func fixtureFileIsComplete() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func agreesWithPyfastcdc(_ fixture: FixtureCase) throws {
        let parameters = try ChunkingParameters(
            minSize: fixture.minSize, avgSize: fixture.avgSize, maxSize: fixture.maxSize, level: fixture.level)
        let data = FixtureInput.bytes(for: fixture.input)
        let boundaries = data.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) }
        #expect(boundaries.map(\.offset) == fixture.chunks.map(\.offset))
        #expect(boundaries.map(\.length) == fixture.chunks.map(\.length))
        #expect(ReferenceFastCDC.boundaries(data, parameters) == boundaries)
    }

    /// Every input length around min, avg and max, for even and odd sizes and every level, on
    /// several random inputs: production loop == one-byte-per-step reference.
    @Test func productionLoopEqualsReferenceAroundTheBoundaries() throws {
        let sizeSets = [(64, 256, 1024), (1001, 3001, 9001), (1000, 3000, 9000), (2048, 8192, 65536), (513, 513, 2047)]
        for (minSize, avgSize, maxSize) in sizeSets {
            for level in 0...3 {
                let parameters = try ChunkingParameters(minSize: minSize, avgSize: avgSize, maxSize: maxSize, level: level)
                let cdc = FastCDC(parameters)
                let data = FixtureInput.random(seed: UInt64(minSize * 4 + level), count: 2 * maxSize + 3)
                let lengths = Set([minSize - 1, minSize, minSize + 1, minSize + 2, avgSize - 1, avgSize,
                                   avgSize + 1, maxSize - 1, maxSize, maxSize + 1, maxSize + 2, 2 * maxSize + 3])
                for length in lengths {
                    for start in stride(from: 0, to: maxSize, by: 97) where start + length <= data.count {
                        let slice = data[start..<(start + length)]
                        let fast = slice.withUnsafeBytes { cdc.cutPoint(in: $0) }
                        #expect(fast == ReferenceFastCDC.cut(slice, parameters), "\(parameters) n=\(length) start=\(start)")
                    }
                }
            }
        }
    }

    @Test func propertiesOnRandomAndDegenerateInputs() throws {
        let inputs = [
            FixtureInput.random(seed: 99, count: 700_001),
            [UInt8](repeating: 0, count: 200_000),
            Array(repeating: Array("abcabcabd".utf8), count: 20_000).flatMap { $0 },
            FixtureInput.bytes(for: "words:3:300000"),
        ]
        for parameters in [try ChunkingParameters(minSize: 2048, avgSize: 8192, maxSize: 65536, level: 1),
                           try ChunkingParameters(minSize: 1001, avgSize: 3001, maxSize: 9001, level: 2)] {
            for data in inputs {
                let chunks = data.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) }
                var expectedOffset: UInt64 = 0
                for (index, chunk) in chunks.enumerated() {
                    #expect(chunk.offset == expectedOffset)
                    #expect((1...parameters.maxSize).contains(chunk.length))
                    if index < chunks.count - 1 {
                        // An odd minimum lets a cut land one byte early (docs/chunking.md, "Cutting one chunk").
                        #expect(chunk.length >= parameters.minSize / 2 * 2)
                    }
                    expectedOffset += UInt64(chunk.length)
                }
                #expect(expectedOffset == UInt64(data.count))
                #expect(data.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) } == chunks)
            }
        }
        let zeros = [UInt8](repeating: 0, count: 200_000)
        let parameters = try ChunkingParameters(minSize: 2048, avgSize: 8192, maxSize: 65536)
        let chunks = zeros.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) }
        #expect(chunks.dropLast().allSatisfy { $0.length == 65536 })
        #expect(chunks.count == 4)
    }

    @Test func emptyInputHasNoChunks() {
        #expect([UInt8]().withUnsafeBytes { FastCDC(.default).boundaries(of: $0) }.isEmpty)
    }
}
