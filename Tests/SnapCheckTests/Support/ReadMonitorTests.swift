import Testing
@testable import SnapCheck

/// How the timing of reads tells slow storage from the page cache.
struct ReadMonitorTests {
    /// A read of `bytes` that took `nanoseconds`, as the workers report it.
    static func read(_ monitor: ReadMonitor, bytes: Int = 4096, nanoseconds: UInt64) {
        monitor.finishRead(bytes, startedAt: ReadMonitor.now() - nanoseconds)
    }

    @Test func slowStorageIsSeenAfterFourReads() {
        let monitor = ReadMonitor(cancellation: nil)
        for _ in 0..<3 { Self.read(monitor, nanoseconds: 1_000_000) }
        #expect(!monitor.storageIsSlow, "three reads are not enough to judge")
        Self.read(monitor, nanoseconds: 1_000_000)
        #expect(monitor.storageIsSlow)
    }

    @Test func thePageCacheIsNotSlowStorage() {
        let monitor = ReadMonitor(cancellation: nil)
        for _ in 0..<100 { Self.read(monitor, bytes: 65_536, nanoseconds: 5_000) }
        #expect(!monitor.storageIsSlow)
    }

    @Test func aFewDescheduledReadsDoNotTipIt() {
        let monitor = ReadMonitor(cancellation: nil)
        // One slow read in four, from the start and on: never most of them.
        for index in 0..<200 {
            Self.read(monitor, nanoseconds: index % 4 == 0 ? 2_000_000 : 3_000)
            #expect(index < 3 || !monitor.storageIsSlow, "after read \(index)")
        }
    }

    @Test func storageThatTurnsSlowIsSeenWithinAFewDozenReads() {
        let monitor = ReadMonitor(cancellation: nil)
        for _ in 0..<100 { Self.read(monitor, nanoseconds: 3_000) }
        var reads = 0
        while !monitor.storageIsSlow && reads < 100 {
            Self.read(monitor, nanoseconds: 1_000_000)
            reads += 1
        }
        #expect(reads >= 16 && reads <= 32, "turned slow after \(reads) slow reads")
    }
}
