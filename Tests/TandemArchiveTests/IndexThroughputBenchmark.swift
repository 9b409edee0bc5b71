import Foundation
import Testing
@testable import TandemArchive

/// Insert throughput, printed rather than asserted (timings depend on the disk). Run with
/// `TANDEM_ARCHIVE_BENCH=1 swift test --filter IndexThroughputBenchmark`; `TANDEM_ARCHIVE_BENCH_DIR`
/// picks the file system to measure (default: the system temp directory).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TANDEM_ARCHIVE_BENCH"] != nil))
struct IndexThroughputBenchmark {
    private static let instances = 2048

    private func records(_ count: Int, prefix: String) -> [InstanceRecord] {
        (1...count).map { number in
            IndexFixtures.record(study: "1.2.\(prefix).\(number / 500)", series: "1.2.\(prefix).\(number / 500).\(number / 100)",
                                 sop: "1.2.\(prefix).9.\(number)")
        }
    }

    private func withIndex(_ journalMode: JournalMode, _ body: (ArchiveIndex) async throws -> Void) async throws {
        let base = ProcessInfo.processInfo.environment["TANDEM_ARCHIVE_BENCH_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        let root = DataRoot(url: base.appendingPathComponent("tandem-bench-\(UUID().uuidString)"))
        try root.prepare()
        defer { try? FileManager.default.removeItem(at: root.url) }
        try await body(try ArchiveIndex(root: root, storage: StorageSettings(journalMode: journalMode), environment: [:]))
    }

    private func report(_ label: String, count: Int, since start: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("insert \(label): \(count) instances in \(String(format: "%.2f", seconds)) s = "
              + "\(Int(Double(count) / seconds)) instances/s")
    }

    @Test(arguments: [(JournalMode.wal, 1), (.wal, 32), (.delete, 1), (.delete, 32)])
    func batches(journalMode: JournalMode, batchSize: Int) async throws {
        try await withIndex(journalMode) { index in
            let all = records(Self.instances, prefix: "\(batchSize)")
            let start = ContinuousClock.now
            for offset in stride(from: 0, to: all.count, by: batchSize) {
                _ = try index.insert(Array(all[offset..<min(offset + batchSize, all.count)]))
            }
            report("\(journalMode.rawValue), batches of \(batchSize)", count: all.count, since: start)
            #expect(try index.counts().instances == Self.instances)
        }
    }

    @Test func groupCommitWith16ConcurrentSenders() async throws {
        try await withIndex(.wal) { index in
            let committer = GroupCommitter(index: index)
            let all = records(Self.instances, prefix: "77")
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<16 {
                    group.addTask {
                        for record in all[(sender * all.count / 16)..<((sender + 1) * all.count / 16)] {
                            _ = try await committer.insert(record)
                        }
                    }
                }
                try await group.waitForAll()
            }
            report("wal, group commit, 16 concurrent senders", count: all.count, since: start)
            #expect(try index.counts().instances == Self.instances)
        }
    }
}
