import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// The reader at the edges of what the format allows: number widths, header order, names that
/// repeat, totals that do not fit, and text that must never reach a terminal raw.
struct ManifestStrictnessTests {
    static let header = [
        "snapcheck-manifest v1", "chunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=1", "hash sha256",
    ]

    /// A manifest of `entries` lines with a correct trailer and snapshot id, computed with
    /// `sha256sum` (not with the code under test). `extraHeader` goes between the hash line
    /// and `entries`; `headerLines` replaces the three identity lines.
    static func sealed(_ entries: [String], end: String, headerLines: [String] = header, extraHeader: [String] = []) throws -> [UInt8] {
        let identity = (headerLines + entries).map { $0 + "\n" }.joined()
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("identity")
        try Data(identity.utf8).write(to: file)
        let digest = try TestSupport.run("/usr/bin/sha256sum", [file.path]).prefix(64)
        let lines = headerLines + extraHeader + ["entries"] + entries + [end, "snapshot sha256:\(digest)"]
        return Array(lines.map { $0 + "\n" }.joined().utf8)
    }

    static func read(_ bytes: [UInt8]) throws -> Result<[TreeEntry], SnapCheckError> {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            let reader = try ManifestReader(path: FilePath(path))
            var entries: [TreeEntry] = []
            while let entry = try reader.next() { entries.append(entry) }
            return .success(entries)
        } catch {
            return .failure(error)
        }
    }

    static let oneChunk = "+\t1\t" + String(repeating: "0", count: 64)
    static let oneFileEnd = "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"

    @Test func modificationTimesOfEveryWidthRoundTrip() throws {
        // Decimal forms derived with Python: (2^63 - 1) * 10^9 + 999999999 and -2^63 * 10^9.
        let cases: [(FileTime, String)] = [
            (.max, "9223372036854775807999999999"),
            (.min, "-9223372036854775808000000000"),
            (FileTime(seconds: -1, nanoseconds: 999_999_999), "-1"),
            (FileTime(seconds: 10_413_792_000), "10413792000000000000"),  // 2300-01-01
            (FileTime(seconds: 0), "0"),
            // Below Int64.min nanoseconds, which the fuzzer found trapping in diff and verify:
            // floor(-9223372035854775809 / 10^9) = -9223372036 s, remainder 145224191 ns.
            (FileTime(seconds: -9_223_372_036, nanoseconds: 145_224_191), "-9223372035854775809"),
        ]
        for (time, text) in cases {
            let line = "file\tf\t0644\t\(text)\t1\tok"
            let entries = try Self.read(Self.sealed([line, Self.oneChunk], end: Self.oneFileEnd)).get()
            #expect(entries.first?.modificationTime == time, "\(text)")
            var written: [UInt8] = []
            ManifestFormat.entryLine(for: entries[0], into: &written)
            #expect(String(decoding: written, as: UTF8.self) == line + "\n")
        }
    }

    @Test(arguments: [
        "9223372036854775808000000000",  // one second past the largest time
        "-9223372036854775808000000001",  // one nanosecond before the earliest
        "-0", "+5", "05", "1e9", "",
        "99999999999999999999999999999999999999999",  // wider than 128 bits
    ])
    func modificationTimesOutOfRangeAreRefused(_ text: String) throws {
        let line = "file\tf\t0644\t\(text)\t1\tok"
        let outcome = try Self.read(Self.sealed([line, Self.oneChunk], end: Self.oneFileEnd))
        #expect(throws: SnapCheckError.self) { try outcome.get() }
    }

    @Test func timesFormatForPeopleInAnyYear() {
        // Expected texts from `date -u -d @SECONDS +%FT%TZ`.
        #expect(FileTime(seconds: 10_413_792_000).description == "2300-01-01T00:00:00.000000000Z")
        #expect(FileTime(seconds: -11_676_096_000, nanoseconds: 5).description == "1600-01-01T00:00:00.000000005Z")
        #expect(FileTime(seconds: -1, nanoseconds: 999_999_999).description == "1969-12-31T23:59:59.999999999Z")
        // Beyond the C library's calendar: said as seconds, never a wrong date or a trap.
        #expect(FileTime.max.description == "@9223372036854775807.999999999s")
        #expect(FileTime.min.description == "@-9223372036854775808.000000000s")
        let change = TreeEntry(path: [0x61], kind: .file, mode: 0o644, modificationTime: .min)
            .metadataChange(to: TreeEntry(path: [0x61], kind: .file, mode: 0o644, modificationTime: .max))
        #expect(change == "mtime @-9223372036854775808.000000000s -> @9223372036854775807.999999999s")
    }

    @Test func sizesThatAddUpPastSixtyThreeBitsAreRefused() throws {
        let big = String(Int64.max - 1)
        let lines = (0..<3).map { "file\tf\($0)\t0644\t0\t\(big)\tunreadable" }
        let outcome = try Self.read(Self.sealed(lines, end: "end files=3 directories=0 symlinks=0 special=0 bytes=0 chunks=0 unreadable=3 changed=0"))
        #expect(throws: SnapCheckError.self) { try outcome.get() }
        if case .failure(let error) = outcome { #expect(error.description.contains("add up to more than 2^63 - 1 bytes")) }
    }

    @Test(arguments: [
        "chunking fastcdc-2020 min=+262144 avg=1048576 max=4194304 level=1",
        "chunking fastcdc-2020 min=0262144 avg=1048576 max=4194304 level=1",
        "chunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=00",
        "chunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=-0",
        "chunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=1 ",
        "chunking fastcdc-2020  min=262144 avg=1048576 max=4194304 level=1",
    ])
    func chunkingNumbersMustBeCanonical(_ chunking: String) throws {
        let headerLines = [Self.header[0], chunking, Self.header[2]]
        let outcome = try Self.read(Self.sealed([], end: "end files=0 directories=0 symlinks=0 special=0 bytes=0 chunks=0 unreadable=0 changed=0", headerLines: headerLines))
        #expect(throws: SnapCheckError.self) { try outcome.get() }
    }

    @Test func headerLinesComeInTheirOrderOnce() throws {
        let empty = "end files=0 directories=0 symlinks=0 special=0 bytes=0 chunks=0 unreadable=0 changed=0"
        let good = try Self.sealed([], end: empty, extraHeader: ["created 2026-11-30T10:00:00Z", "source /srv/a\\x0ab"])
        #expect(try Self.read(good).get().isEmpty)
        let refused: [(String, [UInt8])] = [
            ("no hash line", try Self.sealed([], end: empty, headerLines: Array(Self.header.prefix(2)))),
            ("entries with a space", Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\nentries\n", with: "\nentries \n").utf8)),
            ("created twice", try Self.sealed([], end: empty, extraHeader: ["created 2026-11-30T10:00:00Z", "created 2026-11-30T10:00:00Z"])),
            ("source before created", try Self.sealed([], end: empty, extraHeader: ["source /a", "created 2026-11-30T10:00:00Z"])),
            ("created not a time", try Self.sealed([], end: empty, extraHeader: ["created yesterday"])),
            ("source with a raw control byte", try Self.sealed([], end: empty, extraHeader: ["source /a\u{1B}[2J"])),
            ("unknown header", try Self.sealed([], end: empty, extraHeader: ["comment \u{1B}]0;pwned\u{07}"])),
        ]
        for (name, bytes) in refused {
            let outcome = try Self.read(bytes)
            guard case .failure(let error) = outcome else {
                Issue.record("\(name): accepted")
                continue
            }
            #expect(error.code == .invalidManifest, "\(name)")
            // Nothing from the manifest reaches the message raw.
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(name): \(error.description)")
        }
    }

    @Test func aPathRecordedAsFileAndDirectoryIsRefused() throws {
        let file = "file\ta\t0644\t0\t1\tok"
        let between = "file\ta-b\t0644\t0\t1\tok"
        let directory = "dir\ta\t0755\t0\t0\tok"
        let end = "end files=2 directories=1 symlinks=0 special=0 bytes=2 chunks=2 unreadable=0 changed=0"
        let outcome = try Self.read(Self.sealed([file, Self.oneChunk, between, Self.oneChunk, directory], end: end))
        #expect(throws: SnapCheckError.self) { try outcome.get() }
        if case .failure(let error) = outcome { #expect(error.description.contains("both as a directory and as another kind")) }
        // Different names that share a prefix stay fine.
        let other = "dir\ta.d\t0755\t0\t0\tok"
        let fine = try Self.read(Self.sealed([file, Self.oneChunk, between, Self.oneChunk, other], end: end))
        #expect(try fine.get().count == 3)
    }
}

/// The fast first read of a sharded check: the id from the lines, the totals from the trailer.
struct ManifestIdentityScanTests {
    static func scan(_ bytes: [UInt8]) throws -> Result<ManifestSummary, SnapCheckError> {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            return .success(try ManifestReader(path: FilePath(path)).identityAndTotals())
        } catch {
            return .failure(error)
        }
    }

    @Test func theScanGivesWhatAFullReadGives() throws {
        let entries = ["dir\ta\t0755\t1\t0\tok", "file\ta/b\t0644\t1\t1\tok", ManifestStrictnessTests.oneChunk]
        let bytes = try ManifestStrictnessTests.sealed(entries, end: ManifestStrictnessTests.oneFileEnd.replacingOccurrences(of: "directories=0", with: "directories=1"))
        let scanned = try Self.scan(bytes).get()
        let directory = try TestSupport.temporaryDirectory()
        let path = directory.appendingPathComponent("m").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try ManifestReader(path: FilePath(path)).validate() == scanned)
        #expect(scanned.files == 1 && scanned.directories == 1 && scanned.bytes == 1)
    }

    @Test func theScanRefusesEditedLinesAndABadTrailer() throws {
        let entries = ["file\tb\t0644\t1\t1\tok", ManifestStrictnessTests.oneChunk]
        var edited = try ManifestStrictnessTests.sealed(entries, end: ManifestStrictnessTests.oneFileEnd)
        let index = try #require(edited.firstIndex(of: UInt8(ascii: "b")))
        edited[index] = UInt8(ascii: "c")
        #expect(try Self.scan(edited).failure?.message.contains("snapshot id does not match") == true)
        for end in ["end files=1", "end files=01 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0", "the end"] {
            let result = try Self.scan(try ManifestStrictnessTests.sealed(entries, end: end))
            #expect(result.failure?.code == .invalidManifest, "\(end)")
        }
        var truncated = try ManifestStrictnessTests.sealed(entries, end: ManifestStrictnessTests.oneFileEnd)
        truncated.removeLast(80)
        #expect(try Self.scan(truncated).failure?.code == .invalidManifest)
    }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
