import Foundation
import SystemPackage
import Testing
@testable import SnapCheck

/// The library's edges as another program meets them: paths as `FilePath` (any bytes), readers
/// and writers on descriptors, expected entries in memory, raw paths in errors, Codable results.
struct LibraryAPITests {
    typealias Scenario = VerifierTests.Scenario

    @Test func aRootWhoseNameIsNotUTF8IsRecordedAndVerified() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let name: [UInt8] = Array("caf".utf8) + [0xE9]  // Latin-1 "café"
        tree.directory(name)
        tree.file(name + Array("/menu".utf8), Array("soup\n".utf8))
        let root = FilePath(bytes: tree.fullPath(name))
        let manifest = FilePath(tree.root.path + "/tree.manifest")
        let summary = try SnapshotBuilder.writeManifest(of: root, to: manifest)
        #expect(summary.files == 1)
        let reader = try ManifestReader(path: manifest)
        _ = try reader.validate()
        #expect(reader.source == root)
        #expect(try Verifier.verify(manifest: manifest, target: root).verified)
    }

    @Test func errorsKeepTheRawPathBesideTheEscapedOne() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        let missing = FilePath(bytes: tree.fullPath([0x6E, 0xFF]))
        do {
            _ = try SnapshotBuilder.writeManifest(of: missing, to: FilePath(tree.root.path + "/m"))
            Issue.record("recorded a missing root")
        } catch {
            #expect(error.code == .io && error.errno == ENOENT)
            #expect(error.filePath == missing)
            #expect(error.path == tree.root.path + "/n\\xff")
        }
        // The same for a manifest that is not there.
        do {
            _ = try ManifestReader(path: missing)
            Issue.record("read a missing manifest")
        } catch {
            #expect(error.filePath == missing && error.errno == ENOENT)
        }
    }

    @Test func aManifestReadFromADescriptorIsTheManifestReadFromItsFile() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let file = try FileDescriptor.open(FilePath(scenario.manifest), .readOnly)
        defer { try? file.close() }
        let fromDescriptor = try ManifestReader(descriptor: file)
        var entries: [TreeEntry] = []
        while let entry = try fromDescriptor.next() { entries.append(entry) }
        let fromPath = try ManifestReader(path: FilePath(scenario.manifest)).validate()
        #expect(fromDescriptor.summary == fromPath)
        #expect(entries.count == fromPath.entries)
        // The caller's descriptor stays open.
        #expect(fcntl(file.rawValue, F_GETFD) >= 0)
    }

    @Test func aManifestWrittenToADescriptorHasTheSameSnapshot() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let expected = try ManifestReader(path: FilePath(scenario.manifest)).validate()
        let output = FilePath(scenario.manifest + ".copy.gz")
        let descriptor = try FileDescriptor.open(output, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        let writer = try ManifestWriter(descriptor: descriptor, compressed: true, parameters: VerifierTests.parameters)
        let reader = try ManifestReader(path: FilePath(scenario.manifest))
        while let entry = try reader.next() { try writer.append(entry) }
        let written = try writer.finish()
        #expect(fcntl(descriptor.rawValue, F_GETFD) >= 0)
        try descriptor.close()
        #expect(written.snapshotID == expected.snapshotID)
        // Gzip, told apart by its bytes, and intact.
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.string)).prefix(2) == Data([0x1F, 0x8B]))
        #expect(try ManifestReader(path: output).validate() == expected)
    }

    @Test func entriesInMemoryVerifyAsTheManifestDoes() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/big.bin", at: 5000, with: [1, 2, 3])
        let reader = try ManifestReader(path: FilePath(scenario.manifest))
        var entries: [TreeEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        let options = VerifyOptions(metadata: .ignore)
        let fromFile = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options)
        var fromMemory = try Verifier.verify(
            entries: entries, parameters: reader.parameters, target: FilePath(scenario.target.path), options: options)
        #expect(fromMemory.snapshotID == nil)  // no manifest, no id
        fromMemory.snapshotID = fromFile.snapshotID
        #expect(fromMemory == fromFile)
        #expect(fromFile.byKind[.content]?.count == 1)
        // Out of order (or repeated): refused before anything is read.
        #expect(throws: SnapCheckError.self) {
            try Verifier.verify(entries: entries.reversed(), parameters: reader.parameters, target: FilePath(scenario.target.path))
        }
        #expect(throws: SnapCheckError.self) {
            try Verifier.verify(entries: [entries[0], entries[0]], parameters: reader.parameters, target: FilePath(scenario.target.path))
        }
    }

    @Test func aReaderOnADescriptorHonoursThePinnedSnapshot() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let file = try FileDescriptor.open(FilePath(scenario.manifest), .readOnly)
        defer { try? file.close() }
        var options = VerifyOptions(metadata: .ignore)
        options.expectedSnapshot = try Digest(parsing: String(repeating: "ab", count: 32))
        do {
            _ = try Verifier.verify(reading: ManifestReader(descriptor: file), target: FilePath(scenario.target.path), options: options)
            Issue.record("a manifest with another id was accepted")
        } catch {
            #expect(error.code == .unexpectedSnapshot)
        }
    }

    @Test func resultsRoundTripThroughCodable() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("readme", at: 0, with: [0x48])
        var findings: [Finding] = []
        let report = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path)) { findings.append($0) }
        let summary = try ManifestReader(path: FilePath(scenario.manifest)).validate()
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        #expect(try decoder.decode([Finding].self, from: encoder.encode(findings)) == findings)
        #expect(try decoder.decode(VerificationReport.self, from: encoder.encode(report)) == report)
        #expect(try decoder.decode(ManifestSummary.self, from: encoder.encode(summary)) == summary)
        // A digest is its `sha256:` string; findings hash by value.
        let id = try #require(report.snapshotID)
        #expect(String(decoding: try encoder.encode([id]), as: UTF8.self) == "[\"\(id.description)\"]")
        #expect(Set(findings + findings).count == findings.count)
    }
}

extension LibraryAPITests {
    @Test func jsonLinesAreValidJSONWithTheReportsNumbers() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/big.bin", at: 70_000, with: [9, 9])
        var lines: [String] = []
        let report = try Verifier.verify(
            manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: VerifyOptions(metadata: .ignore)
        ) { lines.append(JSONLines.finding($0)) }
        lines.append(JSONLines.summary(report))
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["type"] as? String } == ["finding", "summary"])
        #expect(objects[0]["kind"] as? String == "content" && objects[0]["path"] as? String == "docs/big.bin")
        let ranges = try #require(objects[0]["ranges"] as? [[Int]])
        #expect(ranges.count == 1 && ranges[0][0] <= 70_000 && ranges[0][0] + ranges[0][1] >= 70_002)
        #expect(objects[1]["verified"] as? Bool == false)
        #expect(objects[1]["expected_files"] as? Int == report.expectedFiles)
        #expect(objects[1]["snapshot"] as? String == report.snapshotID?.description)
    }
}
