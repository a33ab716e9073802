import SystemPackage

/// The one escape that makes every name printable and unambiguous, the same in manifests, text
/// reports and JSON.
///
/// Names are bytes. Printable ASCII (0x20–0x7E) and well-formed UTF-8 for code points from
/// U+00A0 up pass through unchanged. A backslash becomes `\\`. Every other byte (control
/// characters such as tab and newline, DEL, the C1 controls U+0080–U+009F, and each byte that
/// is not part of well-formed UTF-8) becomes `\xHH` with two lowercase hexadecimal digits. So
/// the escaped text never holds a tab, a newline or a control character, and each name has
/// exactly one escaped form.
///
/// ```swift
/// PathEscaping.escape(Array("café\nmenu".utf8))   // "café\x0amenu"
/// PathEscaping.escape([0x66, 0xff])                // "f\xff"
/// ```
public enum PathEscaping {
    /// The escaped, printable form of `bytes`.
    public static func escape(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: escapedBytes($0), as: UTF8.self) }
    }

    /// The escaped, printable form of `path`'s bytes.
    public static func escape(_ path: FilePath) -> String { escape(path.bytes) }

    /// The bytes of the escaped form (UTF-8).
    static func escapedBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        appendEscaped(bytes, to: &output)
        return output
    }

    /// Appends the bytes of the escaped form (UTF-8) to `output`.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        if bytes.allSatisfy(isPlain) {
            output.append(contentsOf: bytes)
            return
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte <= 0x7E {
                if byte == 0x5C { output.append(0x5C) }
                output.append(byte)
                index += 1
            } else if let length = printableSequenceLength(bytes, at: index) {
                output.append(contentsOf: bytes[index..<(index + length)])
                index += length
            } else {
                output.append(0x5C)
                output.append(UInt8(ascii: "x"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
                index += 1
            }
        }
    }

    /// The name whose escaped form is `text`, or nil when `text` is not the canonical escape
    /// of any name (an unknown escape, a raw control character or ill-formed UTF-8, an
    /// escape where none is needed, or a NUL byte, which no name can hold).
    public static func unescape(_ text: some Collection<UInt8>) -> [UInt8]? {
        if text.allSatisfy(isPlain) { return Array(text) }
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == 0x5C else {
                output.append(byte)
                continue
            }
            switch iterator.next() {
            case 0x5C: output.append(0x5C)
            case UInt8(ascii: "x"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                output.append(high << 4 | low)
            default: return nil
            }
        }
        guard !output.contains(0) else { return nil }
        // Canonical form only: one text per name, so equal names always escape alike.
        let reescaped = output.withUnsafeBufferPointer { escapedBytes($0) }
        guard reescaped.elementsEqual(text) else { return nil }
        return output
    }

    /// Whether a byte stands for itself in the escaped form: printable ASCII but the backslash.
    /// Most names are made of these only, and are their own escaped form.
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte <= 0x7E && byte != 0x5C
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The length of the well-formed UTF-8 sequence at `index` when it encodes a code point
    /// from U+00A0 up (printable outside ASCII); nil otherwise.
    private static func printableSequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2: length = 2; secondRange = 0xA0...0xBF  // U+0080–U+009F are C1 controls
        case 0xC3...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F  // no surrogates
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return nil }
        return length
    }
}
