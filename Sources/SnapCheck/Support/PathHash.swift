/// A 64-bit FNV-1a hash of a path's bytes: to find an entry by path (``ManifestIndex``), or to
/// check that two records are about the same path (``FileStateFile``).
enum PathHash {
    static func of(_ path: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in path { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
