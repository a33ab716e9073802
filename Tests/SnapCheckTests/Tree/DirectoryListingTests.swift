import Foundation
import Testing
@testable import SnapCheck

/// A directory is listed whole and in tree order, whether it is small enough to be listed in one
/// pass or is counted first and listed again.
struct DirectoryListingTests {
    @Test(arguments: [100, 4096, 4500])
    func everyNameComesOnceInTreeOrder(files: Int) throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        // Directories sort as "name/": "d5" after "d5-x" and "d5.x" but before "d50".
        var expected: [(name: [UInt8], isDirectory: Bool)] = []
        for index in 0..<files {
            let name = "f\(index)" + (index % 3 == 0 ? "-x" : index % 3 == 1 ? ".x" : "")
            tree.file(name, "\(index)")
            if !name.hasSuffix("7") { expected.append((Array(name.utf8), false)) }
        }
        for index in 0..<12 where index % 3 != 2 {  // "f2" is a file
            tree.directory("f\(index)")
            if index != 7 { expected.append((Array("f\(index)".utf8), true)) }
        }
        expected.sort { ($0.name + ($0.isDirectory ? [0x2F] : [])).lexicographicallyPrecedes($1.name + ($1.isDirectory ? [0x2F] : [])) }

        let opened = withCString(Array(tree.root.path.utf8)) { DirectoryHandle.open($0, in: AT_FDCWD) }
        let handle = try opened.get()
        let listing = try DirectoryListing.list(handle, excluded: { $0.last == UInt8(ascii: "7") }).get()
        #expect(listing.count == expected.count)
        let prefix = Array("dir/".utf8)
        let paths = (0..<listing.count).map { listing.path($0, prefix: prefix) }
        #expect(paths.allSatisfy { $0.starts(with: prefix) })
        let listed = (0..<listing.count).map { (name: Array(paths[$0].dropFirst(prefix.count)), isDirectory: listing.isDirectory($0)) }
        #expect(listed.map(\.name) == expected.map(\.name))
        #expect(listed.map(\.isDirectory) == expected.map(\.isDirectory))
    }
}
