import Testing
@testable import SnapCheck

/// The compact list gives back exactly the chunks put in, offsets and all.
struct ChunkListTests {
    @Test func givesBackTheChunksPutIn() throws {
        let data = FixtureInput.random(seed: 11, count: 200_000)
        let chunker = StreamingChunker(parameters: try ChunkingParameters(minSize: 64, avgSize: 256, maxSize: 1024))
        let (chunks, total) = StreamingChunkerTests.stream(data, chunker) { _ in 4096 }
        #expect(chunks.count > 100)
        var list = ChunkList()
        for chunk in chunks { list.append(chunk) }
        #expect(Array(list) == chunks)
        #expect(list.count == chunks.count)
        #expect(list.total == total)
        #expect(list.digests == chunks.map(\.digest))
        #expect(list.heldBytes == chunks.count * 36)
        // Twice: iterating does not consume it.
        #expect(Array(list) == chunks)
        #expect(Array(ChunkList()).isEmpty)
    }
}
