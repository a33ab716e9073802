/// The sizes and normalization level that define FastCDC 2020 chunk boundaries.
///
/// Two manifests can share chunks only when they were made with equal parameters. The ranges
/// are those of the reference implementation (fastcdc-rs `v2020`), and the sizes must be in
/// order: `minSize <= avgSize <= maxSize`.
///
/// ```swift
/// let parameters = try ChunkingParameters(minSize: 16 << 10, avgSize: 64 << 10, maxSize: 256 << 10)
/// ```
public struct ChunkingParameters: Hashable, Codable, Sendable, CustomStringConvertible {
    /// No cut point is taken before this many bytes (except at the end of a file).
    public let minSize: Int
    /// The target chunk size; it selects the masks.
    public let avgSize: Int
    /// No chunk is longer than this.
    public let maxSize: Int
    /// Normalization level, 0 ... 3: how strongly chunk sizes are pulled towards `avgSize`.
    public let level: Int

    /// Allowed values of ``minSize``.
    public static let minSizeRange = 64...1_048_576
    /// Allowed values of ``avgSize``.
    public static let avgSizeRange = 256...4_194_304
    /// Allowed values of ``maxSize``.
    public static let maxSizeRange = 1_024...16_777_216
    /// Allowed values of ``level``.
    public static let levelRange = 0...3

    /// snapcheck's manifest defaults: min 256 KiB, avg 1 MiB, max 4 MiB, level 1.
    ///
    /// Large chunks keep manifests small (about one line item per MiB) and the per-chunk cost
    /// negligible, while still locating damage to within about a MiB.
    public static let `default` = try! ChunkingParameters(
        minSize: 256 << 10, avgSize: 1 << 20, maxSize: 4 << 20, level: 1)

    /// Creates validated parameters.
    ///
    /// - Throws: ``SnapCheckError`` with code ``SnapCheckError/Code/invalidParameters`` when a
    ///   value is out of range or the sizes are out of order.
    public init(minSize: Int, avgSize: Int, maxSize: Int, level: Int = 1) throws(SnapCheckError) {
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws(SnapCheckError) {
            guard range.contains(value) else {
                throw SnapCheckError(
                    .invalidParameters,
                    "chunking \(name) \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
            }
        }
        try check("min size", minSize, Self.minSizeRange)
        try check("average size", avgSize, Self.avgSizeRange)
        try check("max size", maxSize, Self.maxSizeRange)
        try check("normalization level", level, Self.levelRange)
        guard minSize <= avgSize, avgSize <= maxSize else {
            throw SnapCheckError(
                .invalidParameters,
                "chunking sizes must satisfy min <= avg <= max (got \(minSize), \(avgSize), \(maxSize))")
        }
        self.minSize = minSize
        self.avgSize = avgSize
        self.maxSize = maxSize
        self.level = level
    }

    /// `min=… avg=… max=… level=…`, the form used in manifest headers and messages.
    public var description: String {
        "min=\(minSize) avg=\(avgSize) max=\(maxSize) level=\(level)"
    }

    /// round(log2(avgSize)) computed exactly on integers (docs/chunking.md, "Masks"): the highest set bit,
    /// plus one when avg >= 2^b * sqrt(2), i.e. avg * avg >= 2^(2b + 1).
    var maskBits: Int {
        let b = Int.bitWidth - 1 - avgSize.leadingZeroBitCount
        return avgSize * avgSize >= 1 << (2 * b + 1) ? b + 1 : b
    }
}
