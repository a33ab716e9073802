import CSnapCheckISAL

/// Decodes gzip with Intel ISA-L's inflate (igzip), about four times as fast as zlib: a tar.gz
/// is then limited by hashing, not by decoding.
///
/// Every member of a multi-member file (`cat a.gz b.gz`, pigz, bgzip) is decoded in turn, each
/// checked against the CRC-32 and length in its trailer; bytes after the last member that do
/// not start another one are ignored, as gzip and libarchive ignore them. A stream that ends
/// inside a member, or does not decode, is an error naming why.
final class GzipInflater {
    private let state: UnsafeMutablePointer<inflate_state>
    /// Whether the current member's trailer was checked (the next bytes, if any, start another).
    private var memberFinished = false

    init() {
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
    }

    deinit { state.deallocate() }

    /// Why the stream cannot be decoded.
    struct Failure: Error {
        var message: String
    }

    /// Whether `bytes` begin like a gzip member (magic and the deflate method).
    static func starts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 8
    }

    /// Whether the stream has ended: a member ended and the bytes after it do not start
    /// another.
    private(set) var ended = false

    /// Whether the input may end here: at a member's end (after its trailer was checked).
    var canEnd: Bool { memberFinished }

    /// Decodes from `input` into `output`.
    ///
    /// - Returns: the bytes written and the compressed bytes consumed. Fewer than all of
    ///   `input` are consumed when `output` is full or a member ends: call again with the rest
    ///   (at least 3 bytes, or all there is, after a member's end, to see whether another
    ///   follows). (0, 0) once the stream has ended (``ended``).
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) -> (written: Int, consumed: Int) {
        if ended { return (0, 0) }
        if memberFinished {
            // Another member follows only if its header does; anything else ends the stream.
            guard Self.starts(input) else {
                ended = true
                return (0, 0)
            }
            isal_inflate_reset(state)
            state.pointee.crc_flag = UInt32(ISAL_GZIP)
            memberFinished = false
        }
        let offered = min(input.count, Int(UInt32.max))
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(offered)
        state.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(clamping: output.count)
        let status = isal_inflate(state)
        if status < 0 { throw Failure(message: Self.describe(status)) }
        if state.pointee.block_state == ISAL_BLOCK_FINISH { memberFinished = true }
        return (output.count - Int(state.pointee.avail_out), offered - Int(state.pointee.avail_in))
    }

    private static func describe(_ status: Int32) -> String {
        switch status {
        case ISAL_INCORRECT_CHECKSUM: "gzip checksum does not match the data"
        case ISAL_INVALID_WRAPPER: "invalid gzip header"
        case ISAL_UNSUPPORTED_METHOD: "gzip compression method not deflate"
        default: "invalid deflate data (ISA-L status \(status))"
        }
    }
}
