/// The text of manifest format v1 (docs/manifest-format.md): the fixed lines and how one entry
/// becomes lines and back.
enum ManifestFormat {
    static let versionLine = "snapcheck-manifest v1"
    static let hashLine = "hash sha256"
    static let entriesLine = "entries"
    static let snapshotKeyword = "snapshot"
    /// Longest line a reader accepts; real lines stay far below (a path is at most 4,096
    /// bytes, four times that escaped, plus a symlink target of the same size).
    static let maximumLineLength = 1 << 20

    /// `chunking fastcdc-2020 min=… avg=… max=… level=…`
    static func chunkingLine(_ parameters: ChunkingParameters) -> String {
        "chunking fastcdc-2020 \(parameters)"
    }

    /// The word that names a kind at the start of an entry line.
    static func word(for kind: FileKind) -> String {
        switch kind {
        case .file: "file"
        case .directory: "dir"
        case .symlink: "symlink"
        case .fifo: "fifo"
        case .socket: "socket"
        case .blockDevice: "block"
        case .characterDevice: "char"
        }
    }

    /// The kind an entry line's first field names, if any.
    static func kind(named field: ArraySlice<UInt8>) -> FileKind? {
        kindWords.first { $0.word.elementsEqual(field) }?.kind
    }

    private static let kindWords: [(word: [UInt8], kind: FileKind)] = FileKind.allCases.map { (Array(word(for: $0).utf8), $0) }

    /// The status an entry line's sixth field names, if any.
    static func status(named field: ArraySlice<UInt8>) -> TreeEntry.Status? {
        statusWords.first { $0.word.elementsEqual(field) }?.status
    }

    private static let statusWords: [(word: [UInt8], status: TreeEntry.Status)] = TreeEntry.Status.allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The entry's lines: `KIND PATH MODE MTIME SIZE STATUS [TARGET]`, tab-separated, then for
    /// a regular file one `+ LENGTH SHA256` line per chunk. Each line ends in a newline.
    static func entryLine(for entry: TreeEntry, into output: inout [UInt8]) {
        output.append(contentsOf: word(for: entry.kind).utf8)
        output.append(0x09)
        entry.path.withUnsafeBufferPointer { PathEscaping.appendEscaped($0, to: &output) }
        output.append(0x09)
        appendOctalMode(entry.mode, to: &output)
        output.append(0x09)
        appendDecimal(entry.modificationTime.totalNanoseconds, to: &output)
        output.append(0x09)
        appendDecimal(Int128(entry.size), to: &output)
        output.append(0x09)
        output.append(contentsOf: entry.status.rawValue.utf8)
        if entry.kind == .symlink {
            output.append(0x09)
            (entry.symlinkTarget ?? []).withUnsafeBufferPointer { PathEscaping.appendEscaped($0, to: &output) }
        }
        output.append(0x0A)
    }

    /// The line of one chunk (`+ LENGTH DIGEST`), appended to `output`.
    static func chunkLine(_ chunk: Chunk, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "+"))
        output.append(0x09)
        appendDecimal(Int128(chunk.length), to: &output)
        output.append(0x09)
        chunk.digest.appendHex(to: &output)
        output.append(0x0A)
    }

    /// `end files=… directories=… …`
    static func endLine(_ summary: ManifestSummary) -> String {
        "end files=\(summary.files) directories=\(summary.directories) symlinks=\(summary.symlinks)"
            + " special=\(summary.special) bytes=\(summary.bytes) chunks=\(summary.chunks)"
            + " unreadable=\(summary.unreadable) changed=\(summary.changed)"
    }

    /// Appends a decimal number without making a String. 128 bits hold every value a line
    /// carries: a modification time in nanoseconds needs up to 73 bits, a size 64.
    private static func appendDecimal(_ value: Int128, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var wide = value.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            // 128-bit division is slow: use it only for the digits above 64 bits.
            while wide > UInt128(UInt64.max) {
                scratch[39 - count] = UInt8(ascii: "0") + UInt8(wide % 10)
                wide /= 10
                count += 1
            }
            var magnitude = UInt64(wide)
            repeat {
                scratch[39 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            output.append(contentsOf: scratch[(40 - count)...])
        }
    }

    private static func appendOctalMode(_ mode: UInt32, to output: inout [UInt8]) {
        for shift in stride(from: 9, through: 0, by: -3) {
            output.append(UInt8(ascii: "0") + UInt8((mode >> UInt32(shift)) & 7))
        }
    }
}
