/// A SHA-256 digest: 32 bytes, compared and hashed by value.
///
/// Digests print as 64 lowercase hexadecimal digits (``hex``) or, where the algorithm must be
/// named, as `sha256:` followed by those digits (``description``). ``init(parsing:)`` reads
/// either form back.
///
/// ```swift
/// let digest = try Digest(parsing: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
/// print(digest.hex)
/// ```
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    // The 32 bytes as four big-endian words: cheap to compare and hash, no heap allocation.
    @usableFromInline internal var words: (UInt64, UInt64, UInt64, UInt64)

    /// The number of bytes in a SHA-256 digest.
    public static let byteCount = 32

    /// Creates a digest from exactly 32 bytes.
    ///
    /// - Precondition: `bytes.count == 32`.
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Digest.byteCount, "a SHA-256 digest has 32 bytes")
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for offset in 0..<8 { value = value << 8 | UInt64(bytes[index * 8 + offset]) }
            return value
        }
        words = (word(0), word(1), word(2), word(3))
    }

    /// Creates a digest from exactly 32 bytes.
    ///
    /// - Precondition: `bytes.count == 32`.
    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Digest(bytes: $0) }
    }

    /// Parses 64 hexadecimal digits, optionally prefixed by `sha256:`.
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidDigest`` when the
    ///   text is anything else.
    public init(parsing text: some StringProtocol) throws(SnapCheckError) {
        var utf8 = Substring(text).utf8[...]
        if utf8.starts(with: "sha256:".utf8) { utf8 = utf8.dropFirst(7) }
        guard let digest = Digest(hexUTF8: utf8) else {
            throw SnapCheckError(.invalidDigest, "not a SHA-256 digest (64 hex digits): \"\(text.prefix(80))\"")
        }
        self = digest
    }

    /// Parses exactly 64 hexadecimal digits (either case); nil for anything else.
    init?<Bytes: Collection<UInt8>>(hexUTF8 utf8: Bytes) {
        guard utf8.count == 64 else { return nil }
        var parsed = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var index = 0
        for character in utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            switch index >> 4 {
            case 0: parsed.0 = parsed.0 << 4 | UInt64(nibble)
            case 1: parsed.1 = parsed.1 << 4 | UInt64(nibble)
            case 2: parsed.2 = parsed.2 << 4 | UInt64(nibble)
            default: parsed.3 = parsed.3 << 4 | UInt64(nibble)
            }
            index += 1
        }
        words = parsed
    }

    /// Parses exactly 64 lowercase hexadecimal digits, the form manifests use; nil for
    /// anything else (uppercase included, so that each digest has one spelling).
    init?(lowercaseHex text: ArraySlice<UInt8>) {
        guard text.count == 64 else { return nil }
        // A table, not a branch per digit: digits are random, so such a branch would be
        // mispredicted about a third of the time, and a manifest has a digest per chunk.
        let parsed: (UInt64, UInt64, UInt64, UInt64)? = Self.lowercaseHexValues.withUnsafeBufferPointer { values in
            text.withUnsafeBufferPointer { digits in
                var invalid: UInt8 = 0
                func word(_ at: Int) -> UInt64 {
                    var value: UInt64 = 0
                    for index in at..<(at + 16) {
                        let nibble = values[Int(digits[index])]
                        invalid |= nibble
                        value = value << 4 | UInt64(nibble)
                    }
                    return value
                }
                let words = (word(0), word(16), word(32), word(48))
                return invalid & 0xF0 == 0 ? words : nil
            }
        }
        guard let parsed else { return nil }
        words = parsed
    }

    /// Each byte's value as a lowercase hexadecimal digit, 0xFF for a byte that is none.
    private static let lowercaseHexValues: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        default: 0xFF
        }
    }

    /// The 32 bytes, most significant first.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(Digest.byteCount)
        appendBytes(to: &result)
        return result
    }

    /// Appends the 32 bytes, most significant first, to `output`.
    func appendBytes(to output: inout [UInt8]) {
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
    }

    /// Appends the 64 lowercase hexadecimal digits to `output`.
    func appendHex(to output: inout [UInt8]) {
        // Spelled out in a scratch buffer and appended at once: a manifest has one per chunk.
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { scratch in
            func spell(_ word: UInt64, at start: Int) {
                for digit in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * digit)) & 0xF
                    scratch[start + digit] = nibble < 10 ? nibble + 0x30 : nibble + 0x57  // '0'...'9', 'a'...'f'
                }
            }
            spell(words.0, at: 0)
            spell(words.1, at: 16)
            spell(words.2, at: 32)
            spell(words.3, at: 48)
            output.append(contentsOf: scratch)
        }
    }

    /// The digest as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    public var hex: String {
        var text = [UInt8]()
        text.reserveCapacity(64)
        appendHex(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The digest as `sha256:` followed by 64 lowercase hexadecimal digits.
    public var description: String { "sha256:" + hex }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1
            && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

extension Digest: Codable {
    /// Reads the `sha256:`-prefixed form that ``encode(to:)`` writes (or bare hexadecimal).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Digest(parsing: container.decode(String.self))
    }

    /// Writes the digest as one string, `sha256:` and 64 hexadecimal digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
