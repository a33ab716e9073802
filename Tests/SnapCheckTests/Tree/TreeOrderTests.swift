import Testing
@testable import SnapCheck

struct TreeOrderTests {
    func less(_ a: String, _ aDir: Bool, _ b: String, _ bDir: Bool) -> Bool {
        TreeOrder.compare(Array(a.utf8), isDirectory: aDir, Array(b.utf8), isDirectory: bDir) < 0
    }

    @Test func directoriesSortAsIfTheyEndedInSlash() {
        #expect(less("a-b", false, "a", true))      // '-' (0x2D) < '/' (0x2F)
        #expect(less("a", true, "a/x", false))
        #expect(less("a/x", false, "a0", false))    // '/' < '0'
        #expect(less("a", false, "a-b", false))     // a plain file "a" sorts before "a-b"
        #expect(!less("a", true, "a-b", false))
        #expect(TreeOrder.compare(Array("x".utf8), isDirectory: true, Array("x".utf8), isDirectory: true) == 0)
    }

    @Test func bytesNotCharacters() {
        // NFC and NFD forms of "é" are different names, ordered by their bytes.
        #expect(less("cafe\u{301}", false, "caf\u{E9}", false))
        #expect(less("Z", false, "a", false))
    }
}
