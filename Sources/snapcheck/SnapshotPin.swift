import ArgumentParser
import SnapCheck

/// `--expect-snapshot sha256:HEX`: the manifest a hook trusts. Any other manifest, however
/// intact, is refused (exit 2, naming both ids).
struct SnapshotPin: ParsableArguments {
    @Option(name: .customLong("expect-snapshot"), help: ArgumentHelp(
        "Refuse the manifest unless its snapshot id is this one (sha256:HEX, as printed by manifest and show).",
        valueName: "id"))
    var expected: Digest?
}

extension Digest: ExpressibleByArgument {
    /// Parses `sha256:HEX` or bare hex, as ``Digest/init(parsing:)``.
    public init?(argument: String) {
        guard let digest = try? Digest(parsing: argument) else { return nil }
        self = digest
    }
}
