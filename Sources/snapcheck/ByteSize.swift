import ArgumentParser

/// A byte count given on the command line: digits with an optional binary suffix
/// (`K`/`KiB`, `M`/`MiB`, `G`/`GiB`, case-insensitive).
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
    /// The number of bytes.
    var bytes: Int

    init(_ bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let text = argument.lowercased()
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        let shift: Int
        switch suffix {
        case "": shift = 0
        case "k", "kib": shift = 10
        case "m", "mib": shift = 20
        case "g", "gib": shift = 30
        default: return nil
        }
        guard let value = Int(digits), value <= Int.max >> shift else { return nil }
        bytes = value << shift
    }

    var description: String { String(bytes) }
}
