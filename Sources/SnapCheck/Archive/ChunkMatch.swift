/// Where a file read as a stream differs from the manifest, from the two chunk lists alone.
///
/// Chunk boundaries depend only on the bytes of their chunk, so after a change the stream's
/// chunks fall back in step with the manifest's; the manifest's chunks that the stream has in
/// the same order are intact, the others differ. (A file in a directory is checked at the
/// manifest's offsets instead, with `pread`; a stream cannot go back.)
enum ChunkMatch {
    /// The manifest's chunks the stream does not have, in order, as merged byte ranges in the
    /// manifest's coordinates.
    static func differingRanges(expected: [Chunk], actual: [Chunk]) -> [Finding.ByteRange] {
        // Where each digest occurs in the stream, in order.
        var positions: [Digest: [Int]] = [:]
        for (index, chunk) in actual.enumerated() { positions[chunk.digest, default: []].append(index) }
        var ranges: [Finding.ByteRange] = []
        var next = 0
        for chunk in expected {
            if let found = positions[chunk.digest]?.first(where: { $0 >= next }) {
                next = found + 1
                continue
            }
            if let last = ranges.last, last.offset + last.length == chunk.offset {
                ranges[ranges.count - 1].length += UInt64(chunk.length)
            } else {
                ranges.append(Finding.ByteRange(offset: chunk.offset, length: UInt64(chunk.length)))
            }
        }
        return ranges
    }
}
