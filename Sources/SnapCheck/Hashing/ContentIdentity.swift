/// The identity of a file's content, built from its chunk digests as they come: the digest of
/// its only chunk for a file of one chunk (the file's SHA-256), otherwise the SHA-256 of all its
/// chunk digests in order (for an empty file, the SHA-256 of nothing). With the same chunking,
/// two files have the same identity exactly when their chunk lists are the same.
///
/// The digests are hashed 64 KiB at a time, so a file of a million chunks (32 MB of digests)
/// costs no more memory than a file of three.
struct ContentIdentity {
    private var first: Digest?
    private var hasher: SHA256?
    private var block: [UInt8] = []
    /// How many chunk digests were added.
    private(set) var count = 0

    private static let blockSize = 64 << 10

    /// Adds the next chunk's digest.
    mutating func add(_ digest: Digest) {
        count += 1
        guard count > 1 else {
            first = digest
            return
        }
        if count == 2 {
            hasher = SHA256()
            first?.appendBytes(to: &block)
        }
        digest.appendBytes(to: &block)
        if block.count >= Self.blockSize {
            hasher?.update(block)
            block.removeAll(keepingCapacity: true)
        }
    }

    /// The identity of the digests added so far.
    func finish() -> Digest {
        if count == 1, let first { return first }
        let hasher = hasher ?? SHA256()
        hasher.update(block)
        return hasher.finalize()
    }
}
