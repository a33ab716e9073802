/// The order of entries in manifests and walks: byte order of the full path, with a directory
/// compared as if its path ended in `/` (git's tree order).
///
/// A depth-first walk that sorts each directory's names by this rule yields exactly this order,
/// which plain byte order would not (it puts `a-b` between `a` and `a/x`).
public enum TreeOrder {
    /// Compares two entries: negative, zero or positive as the first sorts before, equal to or
    /// after the second.
    public static func compare(
        _ lhs: [UInt8], isDirectory lhsIsDirectory: Bool,
        _ rhs: [UInt8], isDirectory rhsIsDirectory: Bool
    ) -> Int {
        lhs.withUnsafeBufferPointer { left in
            rhs.withUnsafeBufferPointer { right in
                compare(left, isDirectory: lhsIsDirectory, right, isDirectory: rhsIsDirectory)
            }
        }
    }

    /// ``compare(_:isDirectory:_:isDirectory:)`` for paths (or names) held in buffers.
    static func compare(
        _ left: UnsafeBufferPointer<UInt8>, isDirectory lhsIsDirectory: Bool,
        _ right: UnsafeBufferPointer<UInt8>, isDirectory rhsIsDirectory: Bool
    ) -> Int {
        // The sort key is the path followed by '/' for a directory; -1 marks its end.
        func key(_ path: UnsafeBufferPointer<UInt8>, _ isDirectory: Bool, _ index: Int) -> Int {
            if index < path.count { return Int(path[index]) }
            return index == path.count && isDirectory ? 0x2F : -1
        }
        var index = 0
        while true {
            let a = key(left, lhsIsDirectory, index)
            let b = key(right, rhsIsDirectory, index)
            if a != b { return a < b ? -1 : 1 }
            if a == -1 { return 0 }
            index += 1
        }
    }

    /// Whether the directory at `directory` holds `path`, at any depth.
    static func isAncestor(_ directory: [UInt8], of path: [UInt8]) -> Bool {
        path.count > directory.count && path[directory.count] == 0x2F && path.starts(with: directory)
    }
}
