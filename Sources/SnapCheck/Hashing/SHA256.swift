internal import CSnapCheckOpenSSL

/// SHA-256 as fetched from libcrypto, once per process.
///
/// An `EVP_MD` is immutable after the fetch and may be shared by threads; fetching it once
/// saves an implicit fetch (about 150 ns) on every digest.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer = {
    guard let algorithm = EVP_MD_fetch(nil, "SHA256", nil) else {
        fatalError("libcrypto has no SHA-256 implementation")
    }
    return algorithm
}()

/// A streaming SHA-256 computation backed by the system's OpenSSL (libcrypto, EVP interface).
///
/// One instance owns one digest context and is reused for many digests: ``finalize()`` returns
/// the digest and re-arms the context, so no allocation happens per digest. An instance is not
/// thread-safe; give each worker its own.
///
/// ```swift
/// let hasher = SHA256()
/// hasher.update(Array("abc".utf8))
/// let digest = hasher.finalize()   // sha256:ba7816bf...
/// ```
public final class SHA256 {
    private let context: OpaquePointer

    /// Creates a context ready to hash.
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Forgets any bytes hashed so far.
    public func reset() {
        guard EVP_DigestInit_ex2(context, sha256Algorithm, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2 failed for SHA-256")
        }
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // Cannot fail for SHA-256 on a valid, initialised context.
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the digest of the bytes added since the last reset and re-arms the context.
    public func finalize() -> Digest {
        var output = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let digest = withUnsafeMutableBytes(of: &output) { buffer -> Digest in
            var length: UInt32 = 0
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
            return Digest(bytes: UnsafeRawBufferPointer(buffer))
        }
        reset()
        return digest
    }

    /// Returns the digest of one buffer, reusing this context (one-shot use).
    public func digest(of bytes: UnsafeRawBufferPointer) -> Digest {
        reset()
        update(bytes)
        return finalize()
    }

    /// Returns the digest of `bytes` with a context of its own.
    ///
    /// Convenient for a single value; when hashing many values, keep one ``SHA256`` instance and
    /// call ``digest(of:)`` instead.
    public static func digest(of bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { SHA256().digest(of: $0) }
    }
}
