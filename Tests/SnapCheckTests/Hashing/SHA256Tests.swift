import Foundation
import Testing
@testable import SnapCheck

/// SHA-256 against the FIPS 180-4 examples (NIST) and against `sha256sum`.
struct SHA256Tests {
    // Published by NIST (FIPS 180-4 example computations / SHAVS), not derived from our code.
    static let nistVectors: [(message: String, digest: String)] = [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test func nistShortMessages() {
        for vector in Self.nistVectors {
            #expect(SHA256.digest(of: Array(vector.message.utf8)).hex == vector.digest, "\(vector.message)")
        }
    }

    @Test func nistMillionA() {
        let hasher = SHA256()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(block) }
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func contextIsReusableAfterFinalize() {
        let hasher = SHA256()
        hasher.update(Array("garbage".utf8))
        _ = hasher.finalize()
        for vector in Self.nistVectors {
            hasher.update(Array(vector.message.utf8))
            #expect(hasher.finalize().hex == vector.digest)
        }
    }

    @Test func streamingInPiecesEqualsOneShot() {
        let bytes = FixtureInput.random(seed: 42, count: 100_003)
        let whole = SHA256.digest(of: bytes)
        let hasher = SHA256()
        var index = 0
        var step = 1
        while index < bytes.count {
            let end = min(bytes.count, index + step)
            hasher.update(Array(bytes[index..<end]))
            index = end
            step = step * 3 + 1
        }
        #expect(hasher.finalize() == whole)
    }

    @Test func agreesWithSha256sum() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, size) in [0, 1, 55, 56, 64, 65, 4096, 1_000_001].enumerated() {
            let bytes = FixtureInput.random(seed: UInt64(index), count: size)
            let file = directory.appendingPathComponent("f\(index)")
            try Data(bytes).write(to: file)
            let line = try TestSupport.run("/usr/bin/sha256sum", [file.path])
            let expected = String(line.prefix(64))
            #expect(SHA256.digest(of: bytes).hex == expected, "size \(size)")
        }
    }
}
