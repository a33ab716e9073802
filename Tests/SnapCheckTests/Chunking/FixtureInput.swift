@testable import SnapCheck

/// The input generators of Fixtures/fastcdc/make-fixtures.py, reproduced byte for byte, so the
/// fixtures name their inputs instead of storing them.
enum FixtureInput {
    /// splitmix64, as in the fixture script: the library's own generator.
    typealias SplitMix64 = SnapCheck.SplitMix64

    static let words = ["backup", "restore", "verify", "the", "a", "of", "snapshot", "chunk",
                        "file", "tree", "byte", "manifest", "and", "disk", "copy", "error"]

    /// The bytes named by `random:SEED:LENGTH`, `zeros:LENGTH` or `words:SEED:LENGTH`.
    static func bytes(for spec: String) -> [UInt8] {
        let parts = spec.split(separator: ":")
        switch parts[0] {
        case "zeros":
            return [UInt8](repeating: 0, count: Int(parts[1])!)
        case "random":
            return random(seed: UInt64(parts[1])!, count: Int(parts[2])!)
        case "words":
            var generator = SplitMix64(seed: UInt64(parts[1])!)
            let count = Int(parts[2])!
            var result: [UInt8] = []
            while result.count < count {
                result += Array(words[Int(generator.next() % UInt64(words.count))].utf8)
                result.append(0x20)
            }
            return Array(result.prefix(count))
        default:
            fatalError("unknown fixture input \(spec)")
        }
    }

    /// `count` bytes of splitmix64 output from `seed`, each word little-endian.
    static func random(seed: UInt64, count: Int) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var result = [UInt8]()
        result.reserveCapacity(count + 8)
        while result.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Array(result.prefix(count))
    }
}

/// One case of Fixtures/fastcdc/expected.txt.
struct FixtureCase: CustomStringConvertible {
    var name: String
    var input: String
    var minSize: Int, avgSize: Int, maxSize: Int, level: Int
    /// Expected (offset, length, sha256 hex) per chunk.
    var chunks: [(offset: UInt64, length: Int, sha256: String)]

    var description: String { "\(name) (\(input) min=\(minSize) avg=\(avgSize) max=\(maxSize) level=\(level))" }

    /// Every case in the fixture file.
    static func all() throws -> [FixtureCase] {
        let url = TestSupport.packageRoot.appendingPathComponent("Fixtures/fastcdc/expected.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        var cases: [FixtureCase] = []
        var current: FixtureCase?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields[0] == "case" {
                func value(_ field: Substring) -> Int { Int(field.split(separator: "=")[1])! }
                current = FixtureCase(
                    name: String(fields[1]), input: String(fields[2]),
                    minSize: value(fields[3]), avgSize: value(fields[4]),
                    maxSize: value(fields[5]), level: value(fields[6]), chunks: [])
            } else if fields[0] == "end" {
                cases.append(current!)
                current = nil
            } else {
                current!.chunks.append((UInt64(fields[0])!, Int(fields[1])!, String(fields[2])))
            }
        }
        return cases
    }
}
