import Testing
@testable import SnapCheck

struct DigestTests {
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func parsesBothFormsAndPrintsThem() throws {
        let plain = try Digest(parsing: empty)
        let prefixed = try Digest(parsing: "sha256:" + empty)
        let upper = try Digest(parsing: empty.uppercased())
        #expect(plain == prefixed)
        #expect(plain == upper)
        #expect(plain.hex == empty)
        #expect(plain.description == "sha256:" + empty)
        #expect(plain == SHA256.digest(of: []))
    }

    @Test func bytesRoundTrip() {
        let bytes = (0..<32).map { UInt8($0 * 7 + 1) }
        let digest = Digest(bytes: bytes)
        #expect(digest.bytes == bytes)
        #expect(digest.hex.hasPrefix("01080f16"))
    }

    @Test(arguments: [
        "", "sha256:", "abc", String(repeating: "0", count: 63), String(repeating: "0", count: 65),
        String(repeating: "g", count: 64), "sha1:" + String(repeating: "0", count: 64),
        " " + String(repeating: "0", count: 63),
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: SnapCheckError.self) { try Digest(parsing: text) }
        do {
            _ = try Digest(parsing: text)
        } catch {
            #expect(error.code == .invalidDigest)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func equalityAndHashingFollowTheBytes() {
        var set = Set<Digest>()
        for seed in 0..<100 { set.insert(SHA256.digest(of: [UInt8(seed)])) }
        set.insert(SHA256.digest(of: [0]))
        #expect(set.count == 100)
        var flipped = SHA256.digest(of: [1]).bytes
        flipped[31] ^= 1
        #expect(Digest(bytes: flipped) != SHA256.digest(of: [1]))
    }

    /// A file's content identity is the SHA-256 of its chunk digests in order, hashed a block at
    /// a time: the same as hashing them all at once, across block boundaries (5,000 chunks are
    /// 160,000 bytes of digests, over two 64 KiB blocks and a part).
    @Test func contentIdentityHashesTheChunkDigestsInOrder() {
        for count in [2, 2048, 2049, 5000] {
            var offset: UInt64 = 0
            let chunks = (0..<count).map { index -> Chunk in
                defer { offset += 10 }
                return Chunk(offset: offset, length: 10, digest: SHA256.digest(of: Array("chunk \(index)".utf8)))
            }
            let entry = TreeEntry(path: Array("f".utf8), kind: .file, mode: 0o644, modificationTime: FileTime(seconds: 0),
                                  size: offset, chunks: chunks)
            let allAtOnce = SHA256.digest(of: chunks.flatMap(\.digest.bytes))
            #expect(entry.contentIdentity == allAtOnce, "\(count) chunks")
        }
    }
}

extension DigestTests {
    /// The in-place sort gives the standard library's order, for lists of every small length
    /// (the edges of a heap) and a large one with repeats; the search finds exactly the members.
    @Test func digestsSortInPlaceAndAreFound() {
        for count in Array(0...17) + [5000] {
            var digests = (0..<count).map { SHA256.digest(of: Array("d \($0 % 4000)".utf8)) }
            let expected = digests.sorted(by: Digest.precedes)
            Digest.sortInPlace(&digests)
            #expect(digests == expected, "\(count) digests")
            for index in 0..<min(count, 40) {
                #expect(Digest.sorted(digests, contains: SHA256.digest(of: Array("d \(index)".utf8))))
            }
            #expect(!Digest.sorted(digests, contains: SHA256.digest(of: Array("absent".utf8))))
        }
    }
}

extension DigestTests {
    /// The manifest's parser takes exactly the lowercase digits: every byte value, at the first,
    /// a middle and the last place of each 16-digit word, is accepted only when it is one of
    /// 0-9a-f, and then gives what the general parser gives (a second, plainer decoder).
    @Test func lowercaseHexAcceptsExactlyTheLowercaseDigits() {
        let base = Array(empty.utf8)
        let lowercaseDigits = Set("0123456789abcdef".utf8)
        for place in [0, 7, 15, 16, 31, 32, 48, 63] {
            for byte in UInt8.min...UInt8.max {
                var text = base
                text[place] = byte
                let parsed = Digest(lowercaseHex: text[...])
                if lowercaseDigits.contains(byte) {
                    #expect(parsed != nil && parsed == Digest(hexUTF8: text), "byte \(byte) at \(place)")
                } else {
                    #expect(parsed == nil, "byte \(byte) at \(place)")
                }
            }
        }
    }
}

