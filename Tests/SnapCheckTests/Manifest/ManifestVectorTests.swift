import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// The conformance vectors of Fixtures/manifest-vectors (made from the spec alone by
/// make-vectors.py): every valid manifest reads with its stated snapshot id, every invalid one
/// is refused with the stated words in a one-line message.
struct ManifestVectorTests {
    static let root = TestSupport.packageRoot.appendingPathComponent("Fixtures/manifest-vectors")

    static func vectors(_ folder: String) -> [String] {
        let directory = root.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".manifest") || $0.hasSuffix(".manifest.gz") }.sorted()
            .map { directory + "/" + $0 }
    }

    static func companion(_ path: String, _ suffix: String) throws -> String {
        try String(contentsOfFile: path + suffix, encoding: .utf8).trimmingCharacters(in: .newlines)
    }

    @Test func thereAreVectorsOfBothKinds() {
        #expect(Self.vectors("valid").count >= 7)
        #expect(Self.vectors("invalid").count >= 60)
    }

    @Test(arguments: vectors("valid"))
    func validVectorReadsWithItsSnapshotID(_ path: String) throws {
        let summary = try ManifestReader(path: FilePath(path)).validate()
        #expect(summary.snapshotID.description == (try Self.companion(path, ".snapshot")))
    }

    @Test(arguments: vectors("invalid"))
    func invalidVectorIsRefused(_ path: String) throws {
        let expected = try Self.companion(path, ".error")
        do {
            _ = try ManifestReader(path: FilePath(path)).validate()
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.code == .invalidManifest)
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    /// The second reader (Python, written from the spec alone) agrees with every vector too,
    /// so the vectors and the spec are enough for another implementation.
    @Test func independentReaderAgreesWithEveryVector() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.root.appendingPathComponent("check-reader.py").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.hasSuffix("of \(Self.vectors("valid").count + Self.vectors("invalid").count) vectors agree\n"), "\(output)")
    }
}
