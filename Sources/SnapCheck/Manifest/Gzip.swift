internal import CSnapCheckZlib

/// gzip through zlib: the only file that talks to zlib.

/// Compresses into a gzip stream (level 1: a digest-heavy text shrinks about 2× at over
/// 100 MB/s; higher levels gain a few percent for several times the CPU).
final class GzipSink: ByteSink {
    private let next: ByteSink
    private var stream = z_stream()
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
    private var finished = false

    init(writingTo next: ByteSink) {
        self.next = next
        let status = snapcheck_deflate_init_gzip(&stream, 1)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(&stream)
        output.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(SnapCheckError) {
        guard bytes.count > 0 else { return }
        try run(bytes, flush: Z_NO_FLUSH)
    }

    func finish() throws(SnapCheckError) {
        guard !finished else { return }
        finished = true
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        try next.finish()
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32) throws(SnapCheckError) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while true {
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(output.count)
            let status = deflate(&stream, flush)
            let produced = output.count - Int(stream.avail_out)
            if produced > 0 { try next.write(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out != 0 {
                return
            }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw SnapCheckError(.io, "gzip compression failed (zlib status \(status))")
            }
        }
    }
}

/// Decompresses a gzip stream (several members in a row are read as one, as gunzip does).
final class GzipSource: ByteSource {
    private let next: ByteSource
    private var stream = z_stream()
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
    private var inputStart = 0
    private var inputEnd = 0
    private var ended = false
    private var sawData = false

    init(readingFrom next: ByteSource) {
        self.next = next
        let status = snapcheck_inflate_init_gzip(&stream)
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    func read(into target: UnsafeMutableRawBufferPointer) throws(SnapCheckError) -> Int {
        while !ended {
            if inputStart == inputEnd {
                let count = try next.read(into: input)
                if count == 0 {
                    throw SnapCheckError(.invalidManifest, "gzip stream is truncated")
                }
                inputStart = 0
                inputEnd = count
            }
            stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
            stream.avail_in = uInt(inputEnd - inputStart)
            stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(target.count)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = target.count - Int(stream.avail_out)
            inputStart = inputEnd - Int(stream.avail_in)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Another gzip member may follow; anything else after the end is an error.
                if inputStart == inputEnd {
                    let count = try next.read(into: input)
                    inputStart = 0
                    inputEnd = count
                }
                if inputStart == inputEnd {
                    ended = true
                } else {
                    inflateReset(&stream)
                }
            default:
                throw SnapCheckError(.invalidManifest, "gzip stream is corrupt (zlib status \(status))")
            }
            if produced > 0 { return produced }
        }
        return 0
    }
}
