import SystemPackage
import Foundation
import Testing
@testable import SnapCheck

/// Sharded verification: N shards merged give exactly the report of one run, whatever falls
/// at the cuts.
struct ShardTests {
    /// A source with every finding kind in reach of the cuts, and a damaged copy.
    struct Scenario {
        let source: TreeBuilder
        let target: URL
        let manifest: String

        init() throws {
            source = try TreeBuilder()
            source.directory("a")
            for index in 0..<12 {
                source.file(Array("a/f\(index)".utf8), FixtureInput.random(seed: UInt64(index), count: 3_000 + index * 1_700))
            }
            // Three files large enough to be cut between shards: one damaged late, one with an
            // insertion early, one intact.
            source.file(Array("big1.bin".utf8), FixtureInput.random(seed: 101, count: 400_000))
            source.file(Array("big2.bin".utf8), FixtureInput.random(seed: 102, count: 400_000))
            source.file(Array("big3.bin".utf8), FixtureInput.random(seed: 103, count: 400_000))
            source.directory("m")
            for index in 0..<6 { source.file(Array("m/e\(index)".utf8), FixtureInput.random(seed: UInt64(200 + index), count: 9_000)) }
            source.symlink("link", to: "a/f1")
            source.file("unread", "was unreadable")
            // `x` becomes a directory; between the file `x` and the directory `x/` in tree order
            // sit `x-a/` (heavy, so cuts fall in it) and `x.b`.
            source.file("x", "a file, then a directory")
            source.directory("x-a")
            for index in 0..<10 { source.file(Array("x-a/g\(index)".utf8), FixtureInput.random(seed: UInt64(300 + index), count: 20_000)) }
            source.file(Array("x.b".utf8), FixtureInput.random(seed: 400, count: 5_000))
            // `y/` becomes a file, with `y-1` (heavy) between.
            source.directory("y")
            for index in 0..<3 { source.file("y/h\(index)", "inside \(index)") }
            source.file(Array("y-1".utf8), FixtureInput.random(seed: 500, count: 60_000))
            source.directory("z")
            for index in 0..<8 { source.file(Array("z/k\(index)".utf8), FixtureInput.random(seed: UInt64(600 + index), count: 7_000)) }

            let scratch = try TestSupport.temporaryDirectory()
            target = scratch.appendingPathComponent("copy")
            _ = try TestSupport.run("/bin/cp", ["-a", source.root.path, target.path])
            manifest = scratch.appendingPathComponent("source.manifest").path
            // `unread` is recorded as unreadable, as when the manifest's maker could not read it.
            let writer = try ManifestWriter(path: FilePath(manifest), parameters: VerifierTests.parameters)
            try SnapshotBuilder.build(root: FilePath(source.root.path), options: SnapshotOptions(chunking: VerifierTests.parameters)) {
                var entry = $0
                if entry.path == Array("unread".utf8) {
                    entry.status = .unreadable
                    entry.chunks = []
                }
                try writer.append(entry)
            }
            _ = try writer.finish()

            let copy = target.path
            _ = try TestSupport.run("/bin/sh", ["-c", """
                set -e; cd '\(copy)'
                rm a/f3 m/e5
                echo extra > a/f3b; echo extra > 'a/f~'; echo extra > m/zz; echo extra > x-a/g4-new
                chmod 600 a/f7
                ln -sfn a/f2 link
                rm x; mkdir x; echo inside > x/in
                rm -r y; echo now a file > y
                cp -p big1.bin /tmp/shard-$$; printf 'ZZ' | dd of=big1.bin bs=1 seek=330000 conv=notrunc 2>/dev/null
                touch -r /tmp/shard-$$ big1.bin
                { head -c 20000 /tmp/shard-$$; } > /dev/null
                cp -p big2.bin /tmp/shard-$$; { head -c 15000 /tmp/shard-$$; printf X; tail -c +15001 /tmp/shard-$$; } > big2.bin
                touch -r /tmp/shard-$$ big2.bin; rm /tmp/shard-$$
                printf 'Q' | dd of=z/k6 bs=1 seek=100 conv=notrunc 2>/dev/null
                rm -r m/e0; mkdir m/e0
                """])
        }

        func remove() {
            source.remove()
            _ = try? TestSupport.run("/bin/rm", ["-rf", target.deletingLastPathComponent().path])
        }

        var options: VerifyOptions {
            var options = VerifyOptions(threads: 2)
            options.directoryDepth = 1
            return options
        }

        /// One run over everything.
        func whole() throws -> (findings: [Finding], report: VerificationReport) {
            var findings: [Finding] = []
            let report = try Verifier.verify(manifest: FilePath(manifest), target: FilePath(target.path), options: options) {
                findings.append($0)
            }
            return (findings, report)
        }

        /// Shard `index` of `count`, as a report for the merge.
        func shard(_ index: Int, of count: Int, threads: Int = 2) throws -> ShardReport {
            var records: [ShardReport.Record] = []
            var options = options
            options.threads = threads
            let (range, report) = try Verifier.verify(
                manifest: FilePath(manifest), target: FilePath(target.path), shard: try Shard(index, of: count), options: options,
                finding: { records.append(.finding($0)) }, part: { records.append(.part($0)) })
            return ShardReport(range: range, report: report, records: records, settings: ["command": "verify"])
        }

        func ranges(_ count: Int) throws -> [ShardRange] {
            try (1...count).map { try ShardRange.plan(manifest: FilePath(manifest), shard: Shard($0, of: count)) }
        }
    }

    @Test func mergedShardsGiveTheReportOfOneRun() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let whole = try scenario.whole()
        // The scenario holds every kind of finding.
        #expect(Set(whole.findings.map(\.kind)) == Set(Finding.Kind.allCases))
        var cutInsideAFile = false
        var cutBetweenAPair = false
        for count in [1, 2, 3, 7] + Array(4...12).filter({ $0 != 7 }) {
            let shards = try (1...count).map { try scenario.shard($0, of: count, threads: $0 % 2 + 1) }
            let merged = try ShardMerge.merge(shards.shuffled(), directoryDepth: 1)
            #expect(merged.findings == whole.findings, "\(count) shards")
            #expect(merged.report == whole.report, "\(count) shards")
            for range in try scenario.ranges(count) {
                guard let start = range.start else { continue }
                if start.chunk > 0 && !start.isAfterEntry { cutInsideAFile = true }
                if start.path.starts(with: Array("x-a/".utf8)) || start.path == Array("x.b".utf8) { cutBetweenAPair = true }
            }
        }
        // The cuts did fall where they are hardest: inside a large file, and between a file and
        // the directory of the same name.
        #expect(cutInsideAFile)
        #expect(cutBetweenAPair)
    }

    /// Every place a cut can fall, tried one by one: before and after each entry, and between
    /// chunks of the large files (a cut in three there too). The manifest's non-directories
    /// that a range's start could pair with are worked out here on their own, from the rule
    /// (a prefix of the start's path followed by a byte below `/`, or its own path), not by
    /// the planner.
    @Test func aCutAnywhereMergesToTheReportOfOneRun() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let whole = try scenario.whole()
        let reader = try ManifestReader(path: FilePath(scenario.manifest))
        var entries: [TreeEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        let snapshot = try #require(reader.summary).snapshotID
        let nonDirectories = Set(entries.filter { $0.kind != .directory }.map(\.path))
        func range(_ index: Int, of count: Int, from start: ShardPoint?, to end: ShardPoint?) throws -> ShardRange {
            var candidates: [[UInt8]] = []
            if let start {
                for index in start.path.indices where start.path[index] < 0x2F { candidates.append(Array(start.path[..<index])) }
                candidates.append(start.path)
            }
            return ShardRange(
                shard: try Shard(index, of: count), start: start, end: end, snapshotID: snapshot, bytes: 0, isEmpty: false,
                manifestCandidates: candidates.filter(nonDirectories.contains))
        }
        func merged(_ cuts: [ShardPoint]) throws -> (findings: [Finding], report: VerificationReport) {
            let bounds: [ShardPoint?] = [nil] + cuts + [nil]
            var reports: [ShardReport] = []
            for index in 1...(cuts.count + 1) {
                var records: [ShardReport.Record] = []
                let shard = try range(index, of: cuts.count + 1, from: bounds[index - 1], to: bounds[index])
                let report = try Verifier.verify(
                    manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), range: shard, snapshotID: snapshot,
                    options: scenario.options,
                    finding: { records.append(.finding($0)) }, part: { records.append(.part($0)) }, progress: nil)
                reports.append(ShardReport(range: shard, report: report, records: records, settings: [:]))
            }
            return try ShardMerge.merge(reports, directoryDepth: 1)
        }
        var cuts: [[ShardPoint]] = []
        for entry in entries {
            let isDirectory = entry.kind == .directory
            cuts.append([ShardPoint(path: entry.path, isDirectory: isDirectory)])
            cuts.append([ShardPoint(path: entry.path, isDirectory: isDirectory, chunk: Int.max)])
            if entry.chunks.count > 20 {
                let (third, twoThirds) = (entry.chunks.count / 3, 2 * entry.chunks.count / 3)
                cuts.append([ShardPoint(path: entry.path, isDirectory: false, chunk: third)])
                cuts.append([ShardPoint(path: entry.path, isDirectory: false, chunk: third),
                             ShardPoint(path: entry.path, isDirectory: false, chunk: twoThirds)])
            }
        }
        for cut in cuts {
            let result = try merged(cut)
            let where_ = cut.map(\.text).joined(separator: ", ")
            #expect(result.findings.map(\.displayPath) == whole.findings.map(\.displayPath), "cut at \(where_)")
            #expect(result.findings == whole.findings, "cut at \(where_)")
            #expect(result.report == whole.report, "cut at \(where_)")
        }
    }

    @Test func compareShardsMergeToOneCompare() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let source = FilePath(scenario.source.root.path), target = FilePath(scenario.target.path)
        var wholeFindings: [Finding] = []
        let whole = try Verifier.compare(
            source: source, target: target, options: scenario.options, chunking: VerifierTests.parameters) { wholeFindings.append($0) }
        #expect(wholeFindings.contains { $0.kind == .type } && wholeFindings.contains { $0.kind == .content })
        var cutBetweenAPair = false
        for count in [1, 2, 3, 7, 9, 11] {
            var reports: [ShardReport] = []
            for index in 1...count {
                var records: [ShardReport.Record] = []
                let (range, report) = try Verifier.compare(
                    source: source, target: target, shard: Shard(index, of: count), options: scenario.options,
                    chunking: VerifierTests.parameters) { records.append(.finding($0)) }
                if let start = range.start, start.path.starts(with: Array("x-a/".utf8)) || start.path == Array("x.b".utf8) {
                    cutBetweenAPair = true
                }
                reports.append(ShardReport(range: range, report: report, records: records, settings: [:]))
            }
            let merged = try ShardMerge.merge(reports, directoryDepth: 1)
            #expect(merged.findings.map { "\($0.kind) \($0.displayPath) \($0.detail)" } == wholeFindings.map { "\($0.kind) \($0.displayPath) \($0.detail)" }, "\(count) shards")
            #expect(merged.findings == wholeFindings, "\(count) shards")
            #expect(merged.report == whole, "\(count) shards")
        }
        #expect(cutBetweenAPair)
    }

    @Test func spotCheckShardsShareTheSampleOfOneRun() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let manifest = FilePath(scenario.manifest), target = FilePath(scenario.target.path)
        var wholeFindings: [Finding] = []
        let whole = try SpotCheck.run(
            manifest: manifest, target: target, sample: .fraction(0.3), seed: 42, options: scenario.options) { wholeFindings.append($0) }
        #expect(wholeFindings.contains { $0.kind == .content && $0.sampled })
        for count in [1, 2, 3, 7] {
            var reports: [ShardReport] = []
            var sampled = 0, matched = 0
            var bytes: UInt64 = 0
            for index in 1...count {
                var records: [ShardReport.Record] = []
                let (range, result) = try SpotCheck.run(
                    manifest: manifest, target: target, shard: Shard(index, of: count), sample: .fraction(0.3), seed: 42,
                    options: scenario.options) { records.append(.finding($0)) }
                #expect(result.totalChunks == whole.totalChunks)
                sampled += result.sampledChunks
                matched += result.matchedChunks
                bytes += result.sampledBytes
                reports.append(ShardReport(range: range, report: result.report, records: records, settings: [:]))
            }
            let merged = try ShardMerge.merge(reports, directoryDepth: 1)
            #expect(merged.findings == wholeFindings, "\(count) shards")
            #expect(sampled == whole.sampledChunks && matched == whole.matchedChunks && bytes == whole.sampledBytes, "\(count) shards")
            var report = merged.report
            report.complete = whole.report.complete
            #expect(report == whole.report, "\(count) shards")
        }
    }

    @Test func theCutsBalanceBytesWhenNoFileDominates() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        var generator = SplitMix64(seed: 7)
        for directory in 0..<7 { tree.directory("d\(directory)") }
        for index in 0..<300 {
            let size = 5_000 + Int(generator.next() % 45_000)
            tree.file(Array("d\(index % 7)/f\(index)".utf8), FixtureInput.random(seed: UInt64(index), count: size))
        }
        let manifest = try TestSupport.temporaryDirectory().appendingPathComponent("m").path
        let total = try SnapshotBuilder.writeManifest(
            of: FilePath(tree.root.path), to: FilePath(manifest), options: SnapshotOptions(chunking: VerifierTests.parameters)).bytes
        for count in [2, 4, 7] {
            let ranges = try (1...count).map { try ShardRange.plan(manifest: FilePath(manifest), shard: Shard($0, of: count)) }
            #expect(ranges.reduce(0) { $0 + $1.bytes } == total)
            let mean = Double(total) / Double(count)
            for range in ranges {
                #expect(abs(Double(range.bytes) - mean) <= mean * 0.10, "shard \(range.shard): \(range.bytes) bytes, mean \(mean)")
            }
        }
    }

    @Test func mergeRefusesMissingDuplicateAndForeignShards() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let shards = try (1...3).map { try scenario.shard($0, of: 3) }
        func refusal(_ reports: [ShardReport]) -> String? {
            do {
                _ = try ShardMerge.merge(reports, directoryDepth: 1)
                return nil
            } catch {
                #expect(error.code == .invalidArgument)
                return error.message
            }
        }
        #expect(refusal([shards[0], shards[2]])?.contains("missing shard 2/3") == true)
        #expect(refusal(shards + [shards[1]])?.contains("given twice") == true)
        var foreign = shards[1]
        foreign.report.snapshotID = try Digest(parsing: String(repeating: "ab", count: 32))
        #expect(refusal([shards[0], foreign, shards[2]])?.contains("another manifest") == true)
        var otherSettings = shards[2]
        otherSettings.settings["allow_extra"] = "true"
        #expect(refusal([shards[0], shards[1], otherSettings])?.contains("allow_extra") == true)
        var moved = shards[1]
        moved.start = shards[0].start
        #expect(refusal([shards[0], moved, shards[2]])?.contains("do not meet") == true)
        let ofTwo = try scenario.shard(2, of: 2)
        #expect(refusal([shards[0], ofTwo, shards[2]])?.contains("shard count") == true)
        #expect(refusal([])?.contains("no shard reports") == true)
        #expect(refusal(shards) == nil)
    }

    @Test func cutPlacesReadBackAsWritten() {
        for point in [
            ShardPoint(path: Array("a b/c".utf8), isDirectory: false), ShardPoint(path: Array("d".utf8), isDirectory: true, chunk: Int.max),
            ShardPoint(path: [0x66, 0xFF, 0x0A], isDirectory: false, chunk: 93),
        ] {
            #expect(ShardPoint(text: point.text) == point, "\(point.text)")
        }
        for bad in ["", "before", "before file a", "chunk 0 entry a", "chunk 01 entry a", "chunk x entry a", "after dir ", "middle entry a"] {
            #expect(ShardPoint(text: bad) == nil, "\(bad)")
        }
    }

    @Test func shardsParseAndRefuseNonsense() throws {
        #expect(try Shard(parsing: "3/8") == Shard(3, of: 8))
        for bad in ["0/4", "5/4", "1/0", "a/b", "2", "1/2/3", "-1/2", ""] {
            #expect(throws: SnapCheckError.self, "\(bad)") { try Shard(parsing: bad) }
        }
    }

    @Test func moreShardsThanEntriesLeaveSomeEmpty() throws {
        let tree = try TreeBuilder()
        defer { tree.remove() }
        tree.file("only", "one file")
        let manifest = try TestSupport.temporaryDirectory().appendingPathComponent("m").path
        _ = try SnapshotBuilder.writeManifest(
            of: FilePath(tree.root.path), to: FilePath(manifest), options: SnapshotOptions(chunking: VerifierTests.parameters))
        var reports: [ShardReport] = []
        for index in 1...5 {
            var records: [ShardReport.Record] = []
            let (range, report) = try Verifier.verify(
                manifest: FilePath(manifest), target: FilePath(tree.root.path), shard: try Shard(index, of: 5),
                finding: { records.append(.finding($0)) }, part: { records.append(.part($0)) })
            reports.append(ShardReport(range: range, report: report, records: records, settings: [:]))
        }
        #expect(reports.map(\.report.expectedFiles).reduce(0, +) == 1)
        let merged = try ShardMerge.merge(reports, directoryDepth: nil)
        #expect(merged.report.verified && merged.report.intactFiles == 1 && merged.findings.isEmpty)
    }
}
