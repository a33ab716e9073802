/// How an archive's member names map to manifest paths.
///
/// Names are split at `/`; empty and `.` components are dropped (so `./a//b` is `a/b`), then
/// ``stripComponents`` leading components, then ``prefix`` when given (for an archive made from
/// a parent directory: `tar -C /srv -cf b.tar finance` has names `finance/…`, and the prefix
/// `finance` maps them onto a manifest of `/srv/finance`).
public struct ArchiveLayout: Sendable, Hashable, Codable {
    /// Leading components to drop from every name (as `tar --strip-components`).
    public var stripComponents: Int
    /// Components that every name must start with (after stripping), dropped; nil for none.
    public var prefix: [UInt8]?

    /// A layout; the default maps names as they are (less `./`).
    public init(stripComponents: Int = 0, prefix: [UInt8]? = nil) {
        self.stripComponents = max(0, stripComponents)
        self.prefix = prefix
    }

    /// Where a member goes.
    enum Mapped: Equatable {
        /// The tree's root itself (`.`, or the stripped prefix): nothing to check.
        case root
        /// A path in the manifest's terms.
        case path([UInt8])
        /// A name outside the layout (not under the prefix, or holding `..`): an extra entry,
        /// shown by its name as stored.
        case outside
    }

    /// The manifest path for a member's `name`.
    func map(_ name: [UInt8]) -> Mapped {
        var components = name.split(separator: 0x2F, omittingEmptySubsequences: true).filter { !$0.elementsEqual([0x2E]) }
        if components.contains(where: { $0.elementsEqual([0x2E, 0x2E]) }) { return .outside }
        components.removeFirst(min(stripComponents, components.count))
        if let prefix {
            let wanted = prefix.split(separator: 0x2F, omittingEmptySubsequences: true).filter { !$0.elementsEqual([0x2E]) }
            guard components.count >= wanted.count, zip(components, wanted).allSatisfy({ $0.elementsEqual($1) }) else {
                return .outside
            }
            components.removeFirst(wanted.count)
        }
        if components.isEmpty { return .root }
        return .path(Array(components.joined(separator: [0x2F])))
    }
}
