#if canImport(Glibc)
import Glibc
#endif

/// Proves one file's bytes against its manifest entry: one worker's job for one file.
///
/// While bytes match, it reads the file at the manifest's chunk offsets and compares each
/// chunk's SHA-256: no chunking. At the first chunk that differs it chunks the file from there
/// with FastCDC until a chunk equals one of the manifest's later chunks: since a boundary
/// depends only on the bytes of its own chunk, the file re-synchronises with the manifest
/// shortly after an insertion or deletion, and the check goes back to comparing at known
/// offsets. So a one-byte insertion in a large file reports one or two chunks (a few MiB), not
/// the rest of the file.
final class ContentCheck {
    private let chunker: StreamingChunker
    private let buffer: UnsafeMutableRawBufferPointer
    private let hasher = SHA256()

    /// Looked at before every read, so that even a large file stops promptly, and told of
    /// every read, so that progress moves inside a large file.
    private let monitor: ReadMonitor

    /// Files opened ahead on slow storage, taken instead of opening them again.
    private let prefetcher: Prefetcher?

    init(parameters: ChunkingParameters, monitor: ReadMonitor = ReadMonitor(cancellation: nil), prefetcher: Prefetcher? = nil) {
        self.monitor = monitor
        self.prefetcher = prefetcher
        chunker = StreamingChunker(parameters: parameters)
        buffer = .allocate(byteCount: parameters.maxSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// What the check found out about one file.
    struct Outcome {
        /// The differing ranges in manifest coordinates; empty when the file is intact.
        var ranges: [Finding.ByteRange] = []
        /// The target's size.
        var actualSize: UInt64 = 0
    }

    /// The bytes being checked, once opened.
    private struct Source {
        let descriptor: Int32
        /// Where the content starts in the descriptor's file.
        let base: UInt64
        /// Its size: the file's when it was opened, or the region's.
        let size: UInt64
        /// Whether reads stop at `size` (a region of a larger file); a file is read to its end,
        /// which shows bytes that were added while it was read.
        let bounded: Bool
    }

    /// Opens the bytes at `location` for `body`.
    private func withSource<Result>(
        _ location: ContentLocation, label: () -> PathLabel, _ body: (Source) throws(SnapCheckError) -> Result
    ) throws(SnapCheckError) -> Result {
        switch location {
        case .file(let name, let directory):
            let file = try RegularFile.open(walked: name, in: directory, prefetcher: prefetcher, label: label())
            return try body(Source(descriptor: file.descriptor, base: 0, size: UInt64(clamping: file.status.st_size), bounded: false))
        case .region(let descriptor, let offset, let size):
            return try body(Source(descriptor: descriptor, base: offset, size: size, bounded: true))
        case .nothing:
            throw SnapCheckError(.wrongFileType, "not a regular file", at: label())
        }
    }

    /// Checks the bytes at `location` against `expected`. The chunk ranges in `verified`
    /// (ascending) were already found intact at their manifest offsets: when the check reaches
    /// one in step (at its first chunk's offset), it passes over it without reading.
    ///
    /// - Throws: ``SnapCheckError`` when the file cannot be opened or read.
    func check(_ expected: TreeEntry, at location: ContentLocation, verified: [Range<Int>] = []) throws(SnapCheckError) -> Outcome {
        let label = { PathLabel(bytes: expected.path) }  // made only if an error needs it
        return try withSource(location, label: label) { (source) throws(SnapCheckError) in
            try check(expected, source, verified: verified, label: label)
        }
    }

    /// Whether the chunks in `range` are all intact at their manifest offsets and the file has
    /// the expected size (no resynchronisation: a part of a ``SplitFile``).
    func checkChunks(_ expected: TreeEntry, _ range: Range<Int>, at location: ContentLocation) throws(SnapCheckError) -> Bool {
        let label = { PathLabel(bytes: expected.path) }  // made only if an error needs it
        return try withSource(location, label: label) { (source) throws(SnapCheckError) -> Bool in
            guard source.size == expected.size else { return false }
            for chunk in expected.chunks[range] {
                let count = try read(source, length: chunk.length, at: chunk.offset, label: label)
                guard count == chunk.length,
                      hasher.digest(of: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) == chunk.digest else { return false }
            }
            return true
        }
    }

    /// Reads only the chunks at `indexes` (ascending) with positioned reads and compares them;
    /// the outcome's ranges are the chosen chunks that differ, and its size the file's size.
    func checkSample(_ expected: TreeEntry, chunks indexes: [Int], at location: ContentLocation) throws(SnapCheckError) -> Outcome {
        let label = { PathLabel(bytes: expected.path) }  // made only if an error needs it
        return try withSource(location, label: label) { (source) throws(SnapCheckError) -> Outcome in
            var outcome = Outcome(actualSize: source.size)
            for index in indexes {
                let chunk = expected.chunks[index]
                let count = try read(source, length: chunk.length, at: chunk.offset, label: label)
                if count != chunk.length
                    || hasher.digest(of: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) != chunk.digest {
                    outcome.ranges.append(Finding.ByteRange(offset: chunk.offset, length: UInt64(chunk.length)))
                }
            }
            return outcome
        }
    }

    private func check(
        _ expected: TreeEntry, _ source: Source, verified: [Range<Int>], label: () -> PathLabel
    ) throws(SnapCheckError) -> Outcome {
        var outcome = Outcome(actualSize: source.size)
        let chunks = expected.chunks
        var index = 0
        var position: UInt64 = 0
        var nextVerified = verified.startIndex
        while index < chunks.count {
            while nextVerified < verified.endIndex && verified[nextVerified].lowerBound < index { nextVerified += 1 }
            if nextVerified < verified.endIndex, verified[nextVerified].lowerBound == index, position == chunks[index].offset {
                // In step at a range proven intact: its bytes are known, pass over them.
                let range = verified[nextVerified]
                position = chunks[range.upperBound - 1].offset + UInt64(chunks[range.upperBound - 1].length)
                index = range.upperBound
                continue
            }
            let chunk = chunks[index]
            let count = try read(source, length: chunk.length, at: position, label: label)
            if count == chunk.length
                && hasher.digest(of: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) == chunk.digest {
                position += UInt64(chunk.length)
                index += 1
                continue
            }
            let (match, after) = try resynchronise(source, from: position, chunks: chunks, firstDiffering: index, label: label)
            for differing in chunks[index..<match] {
                outcome.ranges.append(Finding.ByteRange(offset: differing.offset, length: UInt64(differing.length)))
            }
            index = match + 1
            position = after
        }
        if position < source.size {
            // Everything the manifest holds is there; more bytes follow it.
            outcome.ranges.append(Finding.ByteRange(offset: expected.size, length: 0))
        }
        return outcome
    }

    /// Chunks the file from `start` until a chunk equals one of `chunks[firstDiffering...]`.
    ///
    /// - Returns: the index of the matching manifest chunk and the file offset just past it;
    ///   (`chunks.count`, end of file) when nothing matches again.
    private func resynchronise(
        _ source: Source, from start: UInt64, chunks: [Chunk], firstDiffering: Int, label: () -> PathLabel
    ) throws(SnapCheckError) -> (Int, UInt64) {
        var later: [Digest: Int] = [:]
        for index in (firstDiffering + 1)..<max(firstDiffering + 1, chunks.count) where later[chunks[index].digest] == nil {
            later[chunks[index].digest] = index
        }
        var position = start
        var match = chunks.count
        let end = try chunker.chunk(reading: { (target) throws(SnapCheckError) -> Int in
            let count = try self.readSome(source, into: target, at: position, label: label)
            position += UInt64(count)
            return count
        }, while: { (chunk) throws(SnapCheckError) -> Bool in
            if let index = later[chunk.digest] {
                match = index
                return false
            }
            return true
        })
        return (match, start + end)
    }

    /// Reads up to `length` bytes at `offset` of the content into the buffer, stopping early
    /// only at its end.
    private func read(_ source: Source, length: Int, at offset: UInt64, label: () -> PathLabel) throws(SnapCheckError) -> Int {
        var done = 0
        while done < length {
            let count = try readSome(
                source, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<length]),
                at: offset + UInt64(done), label: label)
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Reads at `offset` of the content, never past the end of a region.
    private func readSome(_ source: Source, into target: UnsafeMutableRawBufferPointer, at offset: UInt64, label: () -> PathLabel) throws(SnapCheckError) -> Int {
        var target = target
        if source.bounded {
            guard offset < source.size else { return 0 }
            target = UnsafeMutableRawBufferPointer(rebasing: target[..<Int(min(UInt64(target.count), source.size - offset))])
        }
        let started = try monitor.startRead()
        switch Syscall.pread(source.descriptor, into: target, at: source.base + offset) {
        case .success(let count):
            monitor.finishRead(count, startedAt: started)
            return count
        case .failure(let error): throw SnapCheckError(.io, "read failed", at: label(), errno: error.code)
        }
    }
}
