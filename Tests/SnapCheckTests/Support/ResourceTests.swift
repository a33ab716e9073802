import Foundation
import Synchronization
import SystemPackage
import Testing
@testable import SnapCheck

/// The resources a host controls: a thread budget shared by concurrent jobs, and the open-file
/// limit, which the library only raises when asked.
struct ResourceTests {
    typealias Scenario = VerifierTests.Scenario

    @Test func aBudgetGrantsWhatIsFreeAndNeverMore() throws {
        let budget = ThreadBudget(threads: 4)
        #expect(try budget.reserve(3, cancellation: nil) == 3)
        #expect(try budget.reserve(3, cancellation: nil) == 1)
        // None free: the next job waits until threads come back.
        let granted = Mutex<Int?>(nil)
        let waiter = ThreadHandle {
            let value = try? budget.reserve(2, cancellation: nil)
            granted.withLock { $0 = value }
        }
        usleep(20_000)
        #expect(granted.withLock { $0 } == nil)
        budget.release(3)
        waiter.join()
        #expect(granted.withLock { $0 } == 2)
    }

    @Test func aJobWaitingForTheBudgetStopsWhenCancelled() throws {
        let budget = ThreadBudget(threads: 1)
        let held = try budget.reserve(1, cancellation: nil)
        defer { budget.release(held) }
        let cancellation = Cancellation()
        cancellation.cancel()
        #expect(throws: SnapCheckError.cancelled) { try budget.reserve(1, cancellation: cancellation) }
    }

    @Test func jobsSharingABudgetGiveTheSameReports() async throws {
        let scenario = try Scenario()
        defer { scenario.remove() }
        try scenario.patch("docs/other.bin", at: 100, with: [0])
        let manifest = FilePath(scenario.manifest)
        let target = FilePath(scenario.target.path)
        let alone = try await Verifier.verify(manifest: manifest, target: target, options: VerifyOptions(metadata: .ignore))
        var options = VerifyOptions(metadata: .ignore, threads: 2)
        options.threadBudget = ThreadBudget(threads: 1)
        async let first = Verifier.verify(manifest: manifest, target: target, options: options)
        async let second = Verifier.verify(manifest: manifest, target: target, options: options)
        async let third = Verifier.compare(source: FilePath(scenario.source.root.path), target: target, options: options,
                                           chunking: VerifierTests.parameters)
        let reports = try await [first, second]
        #expect(reports.allSatisfy { $0 == alone })
        let compared = try await third
        #expect(compared.byKind == alone.byKind)
    }

    @Test func theOpenFileLimitIsRaisedOnlyWhenAsked() {
        let before = OpenFileLimit.current
        #expect(before != nil)
        let after = OpenFileLimit.raiseToHardLimit()
        #expect(after != nil && after! >= before!)
    }
}
