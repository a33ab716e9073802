import Testing
@testable import SnapCheck

struct PathEscapingTests {
    @Test(arguments: [
        ("plain/name.txt", "plain/name.txt"),
        ("with space", "with space"),
        ("tab\there", "tab\\x09here"),
        ("new\nline", "new\\x0aline"),
        ("back\\slash", "back\\\\slash"),
        ("café", "café"),
        ("\u{7F}del", "\\x7fdel"),
        ("\u{85}c1", "\\xc2\\x85c1"),
        ("\u{A0}nbsp", "\u{A0}nbsp"),
        ("emoji 🎉", "emoji 🎉"),
    ])
    func escapesText(_ name: String, _ expected: String) {
        #expect(PathEscaping.escape(Array(name.utf8)) == expected)
        #expect(PathEscaping.unescape(Array(expected.utf8)) == Array(name.utf8))
    }

    @Test func escapesInvalidUTF8ByteByByte() {
        #expect(PathEscaping.escape([0x66, 0xFF, 0x6F]) == "f\\xffo")
        #expect(PathEscaping.escape([0xC3]) == "\\xc3")                  // truncated sequence
        #expect(PathEscaping.escape([0xC0, 0xAF]) == "\\xc0\\xaf")       // overlong
        #expect(PathEscaping.escape([0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80")  // surrogate
        #expect(PathEscaping.escape([0xF4, 0x90, 0x80, 0x80]) == "\\xf4\\x90\\x80\\x80")  // > U+10FFFF
    }

    @Test func everyByteStringRoundTrips() {
        var generator = FixtureInput.SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 40) + 1
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: max(1, generator.next() % 256)) }
            let escaped = PathEscaping.escape(bytes)
            #expect(!escaped.utf8.contains { $0 < 0x20 || $0 == 0x7F })
            #expect(PathEscaping.unescape(Array(escaped.utf8)) == bytes)
        }
    }

    @Test(arguments: ["\\q", "\\x4", "\\x41", "\\xFF", "a\tb", "a\u{1}b", "\\x00", "\\", "nul\\x00"])
    func refusesNonCanonicalText(_ text: String) {
        #expect(PathEscaping.unescape(Array(text.utf8)) == nil)
    }

    @Test func refusesRawInvalidUTF8() {
        #expect(PathEscaping.unescape([0x66, 0xFF]) == nil)
    }
}
