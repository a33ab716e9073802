/// Splits a byte stream into lines, in constant memory, counting them.
final class LineReader {
    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var endOfInput = false
    private let maximumLength: Int
    /// The number of the line most recently returned, from 1.
    private(set) var lineNumber = 0

    init(source: ByteSource, maximumLength: Int) {
        self.source = source
        self.maximumLength = maximumLength
        buffer = .allocate(byteCount: maximumLength + 1, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// What went wrong with a line, for the reader to word.
    enum Problem: Error {
        case tooLong
        case noFinalNewline
        case input(SnapCheckError)
    }

    /// The next line without its newline, or nil at the end of the input.
    func next() throws(Problem) -> ArraySlice<UInt8>? {
        var scanned = start
        while true {
            if let newline = firstNewline(from: scanned) {
                let line = ArraySlice(UnsafeRawBufferPointer(rebasing: buffer[start..<newline]))
                start = newline + 1
                lineNumber += 1
                return line
            }
            scanned = end
            if endOfInput {
                if start == end { return nil }
                lineNumber += 1
                throw .noFinalNewline
            }
            if end - start >= maximumLength { lineNumber += 1; throw .tooLong }
            if end == buffer.count {
                let kept = end - start
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: kept)
                scanned -= start
                start = 0
                end = kept
            }
            let count: Int
            do {
                count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            } catch {
                throw .input(error)
            }
            if count == 0 { endOfInput = true } else { end += count }
        }
    }

    private func firstNewline(from index: Int) -> Int? {
        guard index < end else { return nil }
        let found = memchr(buffer.baseAddress! + index, 0x0A, end - index)
        return found.map { buffer.baseAddress!.distance(to: UnsafeMutableRawPointer($0)) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
