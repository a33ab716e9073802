import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Streaming equals in-memory chunking, whatever the read sizes, and files are read safely.
struct StreamingChunkerTests {
    /// Chunks `data` through the streaming path, with `readSize(callIndex)` bytes per read.
    static func stream(_ data: [UInt8], _ chunker: StreamingChunker, readSize: (Int) -> Int) -> ([Chunk], UInt64) {
        var position = 0
        var calls = 0
        var chunks: [Chunk] = []
        let total = chunker.chunk(reading: { target in
            let count = min(readSize(calls), target.count, data.count - position)
            calls += 1
            data.withUnsafeBytes { source in
                target.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
            }
            position += count
            return count
        }, each: { chunks.append($0) })
        return (chunks, total)
    }

    @Test func fixturesThroughVariedReadSizes() throws {
        var generator = FixtureInput.SplitMix64(seed: 5)
        let readers: [(String, (Int) -> Int)] = [
            ("prime", { _ in 7919 }), ("huge", { _ in 1 << 30 }),
            ("varying", { _ in Int(generator.next() % 200_000) + 1 }),
        ]
        for fixture in FastCDCTests.cases {
            let parameters = try ChunkingParameters(
                minSize: fixture.minSize, avgSize: fixture.avgSize, maxSize: fixture.maxSize, level: fixture.level)
            let chunker = StreamingChunker(parameters: parameters)
            let data = FixtureInput.bytes(for: fixture.input)
            for (name, reader) in readers {
                let (chunks, total) = Self.stream(data, chunker, readSize: reader)
                #expect(total == UInt64(data.count))
                #expect(chunks.map(\.offset) == fixture.chunks.map(\.offset), "\(fixture) \(name)")
                #expect(chunks.map(\.length) == fixture.chunks.map(\.length), "\(fixture) \(name)")
                #expect(chunks.map(\.digest.hex) == fixture.chunks.map(\.sha256), "\(fixture) \(name)")
            }
        }
    }

    @Test func oneByteReads() throws {
        let parameters = try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024, level: 2)
        let data = FixtureInput.random(seed: 77, count: 40_000)
        let (chunks, _) = Self.stream(data, StreamingChunker(parameters: parameters), readSize: { _ in 1 })
        let expected = data.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) }
        #expect(chunks.map { ChunkBoundary(offset: $0.offset, length: $0.length) } == expected)
        for chunk in chunks {
            let bytes = Array(data[Int(chunk.offset)..<Int(chunk.offset) + chunk.length])
            #expect(chunk.digest == SHA256.digest(of: bytes))
        }
    }

    /// The ring buffer wraps around many times over a long input, with reads and chunks that
    /// cross its end: the chunks are those of the whole input in memory, whether the ring is
    /// mapped twice or kept in step by copying; alone, with hashing helpers, with helpers that
    /// cannot help (every worker busy: the chunker then goes on alone), and with helpers that
    /// can and cannot by turns, from the start of the file or not (it switches between batches
    /// and single chunks, in the wide ring or the small one).
    @Test(arguments: [true, false])
    func chunksThatWrapAroundTheRingAreWhole(mappingTwice: Bool) throws {
        let parameters = try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024, level: 2)
        let data = FixtureInput.random(seed: 78, count: 6_500_000)
        let expected = data.withUnsafeBytes { FastCDC(parameters).boundaries(of: $0) }
        for mode in ["alone", "helped", "helpers busy", "by turns", "by turns, busy first"] {
            let helpers = HashHelpers(count: 1, workers: 2)
            defer { helpers.shutDown() }
            if mode == "helpers busy" || mode == "by turns, busy first" {
                helpers.workerBegan()
                helpers.workerBegan()
            }
            let chunker = StreamingChunker(parameters: parameters, mappingTwice: mappingTwice)
            var position = 0
            var reads = 0
            var chunks: [Chunk] = []
            let total = chunker.chunk(reading: { target in
                if mode.hasPrefix("by turns") {
                    // Every 50 reads both workers become busy, or idle again.
                    reads += 1
                    if reads % 50 == 0 {
                        let busy = (reads / 50) % 2 == (mode == "by turns" ? 1 : 0)
                        for _ in 0..<2 { if busy { helpers.workerBegan() } else { helpers.workerEnded() } }
                    }
                }
                let count = min(7919, target.count, data.count - position)
                data.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: count) }
                position += count
                return count
            }, helpers: mode == "alone" ? nil : helpers, while: { chunks.append($0); return true })
            #expect(total == UInt64(data.count))
            if mode.hasPrefix("by turns") { #expect(reads > 200, "both ways taken, several times") }
            // Counts, not lists, in the messages: there are 20,000 chunks.
            let boundaries = chunks.map { ChunkBoundary(offset: $0.offset, length: $0.length) }
            #expect(boundaries.count == expected.count, "\(mode)")
            #expect(zip(boundaries, expected).filter { $0 != $1 }.count == 0, "\(mode)")
            let wrong = chunks.filter { $0.digest != SHA256.digest(of: Array(data[Int($0.offset)..<Int($0.offset) + $0.length])) }
            #expect(wrong.count == 0, "\(mode)")
        }
    }

    @Test func chunksAFileAndMatchesSha256sumForOneChunk() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big")
        let data = FixtureInput.random(seed: 6, count: 9_437_184)
        try Data(data).write(to: big)
        var chunks: [Chunk] = []
        let chunker = StreamingChunker(parameters: .default)
        let total = try chunker.chunkFile(at: FilePath(big.path)) { chunks.append($0) }
        #expect(total == UInt64(data.count))
        let fixture = FastCDCTests.cases.first { $0.name == "default" }!
        #expect(chunks.map(\.digest.hex) == fixture.chunks.map(\.sha256))

        let small = directory.appendingPathComponent("small")
        try Data(FixtureInput.random(seed: 1, count: 200_000)).write(to: small)
        var single: [Chunk] = []
        try chunker.chunkFile(at: FilePath(small.path)) { single.append($0) }
        let sha256sum = try TestSupport.run("/usr/bin/sha256sum", [small.path]).prefix(64)
        #expect(single.count == 1)
        #expect(single.first?.digest.hex == String(sha256sum))

        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        var none: [Chunk] = []
        #expect(try chunker.chunkFile(at: FilePath(empty.path)) { none.append($0) } == 0)
        #expect(none.isEmpty)
    }

    @Test func refusesWhatIsNotARegularFileWithoutReadingIt() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let chunker = StreamingChunker(parameters: .default)
        for (path, code) in [(fifo, SnapCheckError.Code.wrongFileType), (directory.path, .wrongFileType),
                             ("/dev/null", .wrongFileType), (directory.path + "/missing", .io)] {
            do {
                try chunker.chunkFile(at: FilePath(path)) { _ in }
                Issue.record("read \(path)")
            } catch {
                #expect(error.code == code, "\(path)")
                #expect(error.description.hasPrefix(path))
            }
        }
    }
}
