import Foundation
import Synchronization
import Testing
@testable import SnapCheck

/// The library's own threads: results in order, producers that stop when their consumer goes,
/// errors and outcomes handed back.
struct ThreadingTests {
    @Test func poolReturnsResultsInSubmissionOrder() {
        let pool = OrderedWorkPool<Int, Int>(threadCount: 4, window: 3) {
            return { job in
                // Later jobs often finish first: order must still be kept.
                usleep(useconds_t((7 - job % 7) * 50))
                return job * job
            }
        }
        defer { pool.shutDown() }
        var results: [Int] = []
        for job in 0..<200 { pool.submit(job) { results.append($0) } }
        pool.drain { results.append($0) }
        #expect(results == (0..<200).map { $0 * $0 })
    }

    @Test func readAheadDeliversEverythingThenTheOutcome() throws {
        let stream = ReadAhead<Int, String>(capacity: 2, batchSize: 3) { emit in
            for value in 0..<1000 { try? emit(value) }
            return "done"
        }
        var seen: [Int] = []
        while let value = try stream.next() {
            #expect(stream.outcome == nil)
            seen.append(value)
        }
        #expect(seen == Array(0..<1000))
        #expect(stream.outcome == "done")
        #expect(try stream.next() == nil)
    }

    @Test func readAheadHandsOverTheProducersErrorAfterItsElements() throws {
        let stream = ReadAhead<Int, Void>(batchSize: 4) { (emit) throws(SnapCheckError) in
            for value in 0..<10 { try? emit(value) }
            throw SnapCheckError(.invalidManifest, "broken at 10")
        }
        var seen: [Int] = []
        do {
            while let value = try stream.next() { seen.append(value) }
            Issue.record("no error")
        } catch {
            #expect(error.message == "broken at 10")
        }
        #expect(seen == Array(0..<10))
    }

    @Test func anAbandonedReadAheadStopsItsProducer() throws {
        final class Record: Sendable {
            let state = Mutex((emitted: 0, stopped: false))
        }
        let record = Record()
        do {
            let stream = ReadAhead<Int, Void>(capacity: 2, batchSize: 1) { emit in
                var value = 0
                // Endless unless the consumer goes away.
                while (try? emit(value)) != nil {
                    record.state.withLock { $0.emitted += 1 }
                    value += 1
                }
                record.state.withLock { $0.stopped = true }
            }
            #expect(try stream.next() == 0)
            #expect(try stream.next() == 1)
        }
        // The deinit above joined the producer: it has returned, having run at most a few
        // elements ahead of the consumer.
        let (emitted, stopped) = record.state.withLock { ($0.emitted, $0.stopped) }
        #expect(stopped)
        #expect(emitted <= 6)
    }
}
