import SystemPackage
import Foundation
import Synchronization
import Testing
@testable import SnapCheck

/// The async entry points: the same results as the blocking ones, work on the library's own
/// threads (never blocking the cooperative pool), and prompt, clean cancellation.
struct AsyncTests {
    typealias Scenario = VerifierTests.Scenario

    @Test func asyncVerifyGivesTheSameReport() async throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/big.bin", at: 1000, with: [7])
        let options = VerifyOptions(metadata: .ignore)
        let blocking = try Self.blockingVerify(scenario, options)
        let found = Mutex<[String]>([])
        let report = try await Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options) { finding in
            found.withLock { $0.append("\(finding.kind) \(finding.displayPath)") }
        }
        #expect(report == blocking)
        #expect(found.withLock { $0 } == ["content docs/big.bin"])
    }

    static func blockingVerify(_ scenario: Scenario, _ options: VerifyOptions) throws -> VerificationReport {
        try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options)
    }

    @Test func cancellingTheTaskStopsTheWork() async throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        // Cancelled before it starts: nothing is read.
        let early = Task {
            try await Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: VerifyOptions(metadata: .ignore))
        }
        early.cancel()
        await #expect(throws: SnapCheckError.cancelled) { try await early.value }
        // Cancelled while the work is under way: from its first progress report, once the test
        // holds the task's handle.
        let handle = Mutex<Task<VerificationReport, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let late = Task {
            try await Verifier.verify(
                manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: VerifyOptions(metadata: .ignore, threads: 1),
                progress: { _ in
                    ready.wait()
                    ready.signal()
                    handle.withLock { $0?.cancel() }
                })
        }
        handle.withLock { $0 = late }
        ready.signal()
        await #expect(throws: SnapCheckError.cancelled) { try await late.value }
    }

    @Test func aCancellationSetDuringTheWorkStopsItAtTheNextCheck() throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        let cancellation = Cancellation()
        var options = VerifyOptions(metadata: .ignore, threads: 2)
        options.cancellation = cancellation
        var reports = 0
        do {
            _ = try Verifier.verify(manifest: FilePath(scenario.manifest), target: FilePath(scenario.target.path), options: options, progress: { _ in
                reports += 1
                cancellation.cancel()
            })
            Issue.record("finished although cancelled")
        } catch {
            #expect(error.code == .cancelled)
        }
        #expect(reports >= 1)
    }

    @Test func aCancelledManifestLeavesNothingBehind() async throws {
        let tree = try SnapshotBuilderTests.sampleTree()
        defer { tree.remove() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("existing.manifest").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        var options = SnapshotOptions()
        let cancellation = Cancellation()
        options.cancellation = cancellation
        cancellation.cancel()
        do {
            _ = try await SnapshotBuilder.writeManifest(of: FilePath(tree.root.path), to: FilePath(path), options: options)
            Issue.record("finished although cancelled")
        } catch {
            #expect(error.code == .cancelled)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["existing.manifest"])
    }

    @Test(.timeLimit(.minutes(1)))
    func blockedJobsDoNotHoldTheCooperativePool() async throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        // More jobs than the cooperative pool has threads, each held inside its work until
        // released; if they ran on the pool, the task below could not run and this would hang.
        let gate = DispatchSemaphore(value: 0)
        let jobs = ProcessInfo.processInfo.activeProcessorCount + 2
        let manifest = scenario.manifest
        let target = scenario.target.path
        var tasks: [Task<VerificationReport, any Error>] = []
        for _ in 0..<jobs {
            tasks.append(Task {
                try await Verifier.verify(
                    manifest: FilePath(manifest), target: FilePath(target), options: VerifyOptions(metadata: .ignore, threads: 1),
                    progress: { _ in
                        gate.wait()
                        gate.signal()
                    })
            })
        }
        // The cooperative pool still runs other work.
        let answer = await Task { 6 * 7 }.value
        #expect(answer == 42)
        gate.signal()
        for task in tasks { _ = try await task.value }
    }
}
