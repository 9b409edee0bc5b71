import Foundation
import Testing
@testable import TandemArchive

@Suite("Ingest phase statistics")
struct IngestPhaseStatisticsTests {
    @Test("percentiles land within one bucket (9 %) above the true value")
    func percentilesWithinOneBucket() {
        let statistics = IngestPhaseStatistics()
        // 1 ms … 100 ms: p50 is 50 ms, p90 is 90 ms.
        for milliseconds in 1...100 { statistics.record(.fileFlush, .milliseconds(milliseconds)) }
        let summary = statistics.summaries()
        #expect(summary.map(\.phase) == [.fileFlush])
        let flush = summary[0]
        #expect(flush.count == 100)
        #expect(flush.p50 >= 0.050 && flush.p50 <= 0.050 * 1.091)
        #expect(flush.p90 >= 0.090 && flush.p90 <= 0.090 * 1.091)
    }

    @Test("one instance's timings count once per phase it reached; phases come in ingest order")
    func phasesInOrder() {
        let statistics = IngestPhaseStatistics()
        var timings = IngestTimings()
        timings.add(.microseconds(300), to: .write)
        timings.add(.microseconds(300), to: .write)
        timings[.indexCommit] = .milliseconds(2)
        timings[.receive] = .microseconds(10)
        statistics.record(timings)
        let summary = statistics.summaries()
        #expect(summary.map(\.phase) == [.receive, .write, .indexCommit])
        #expect(summary.allSatisfy { $0.count == 1 })
        let write = summary[1]
        #expect(write.p50 >= 0.0006 && write.p50 <= 0.0006 * 1.091)
    }

    @Test("a zero and an absurdly long duration stay in the first and last bucket")
    func extremesAreBounded() {
        let statistics = IngestPhaseStatistics()
        statistics.record(.response, .zero)
        statistics.record(.response, .seconds(1_000_000))
        let response = statistics.summaries()[0]
        #expect(response.p50 <= 0.000_001)
        #expect(response.p90 >= 3600)
    }
}
