import Testing
@testable import SnapCheck

/// How work items are grouped into jobs.
struct JobBatcherTests {
    @Test func theFirstJobsAreSmallThenUpToSixtyFourItems() {
        var batcher = JobBatcher<Int>()
        var sizes: [Int] = []
        for item in 0..<400 {
            sizes += batcher.add(item, weight: 10).map(\.count)
        }
        if let rest = batcher.finish() { sizes.append(rest.count) }
        #expect(Array(sizes.prefix(8)) == [1, 2, 4, 8, 16, 32, 64, 64])
        #expect(sizes.reduce(0, +) == 400)
    }

    @Test func aLargeItemIsAJobOfItsOwnAndSmallOnesStopAtOneMebibyte() {
        var batcher = JobBatcher<Int>()
        // Warm up to full-size jobs.
        for item in 0..<127 { _ = batcher.add(item, weight: 1) }
        #expect(batcher.isEmpty)
        let big = batcher.add(1000, weight: 1 << 20)
        #expect(big.map(\.count) == [1])
        var sizes: [Int] = []
        for item in 0..<10 { sizes += batcher.add(item, weight: 300 << 10).map(\.count) }
        #expect(sizes == [4, 4])
    }
}
