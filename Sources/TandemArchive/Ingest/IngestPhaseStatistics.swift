import DICOMCore
import Foundation
import Logging

/// The stages one received instance passes through between its request and its response, in
/// order. Each is timed per instance with the monotonic clock, so a benchmark can tell which of
/// them is the disk and which is not.
public enum IngestPhase: String, CaseIterable, Sendable {
    /// Waiting for the data set's PDVs to come off the socket (the time between writes).
    case receive
    /// Checking free space, taking a spare temp file (else creating one) and writing the Part 10 meta header.
    case open
    /// Writing the received PDVs into the temp file, and walking their element headers (`ArrivingDataSet`).
    case write
    /// Waiting for a thread of the blocking-I/O pool to pick the finished reception up.
    case handoff
    /// Reading the data set to check the announcement and extract the index attributes: from the
    /// bytes kept as it arrived, or else from the written file.
    case parse
    /// `fsync` of the published file and of the directory it is linked in (while the index row commits).
    case fileFlush = "file_flush"
    /// Waiting for the `fsync` of `incoming/` that makes the journal entry durable, making the
    /// object's directory chain durable, and the link.
    case linkAndDirectoryFlush = "link_dir_flush"
    /// Waiting for the group commit that holds the instance's index row, once the file is durable
    /// (the commit runs during the file flush: only what it takes longer counts here).
    case indexCommit = "index_commit"
    /// Waiting for the commit that clears the row's `unflushed_object` note once the file is
    /// durable, making the row visible to readers (not fsynced unless it rides on a batch of rows).
    case noteClear = "note_clear"
    /// Sending the C-STORE response.
    case response
}

/// The durations of one instance's phases; a phase not reached stays absent.
public struct IngestTimings: Sendable {
    var durations: [IngestPhase: Duration] = [:]

    public init() {}

    public subscript(phase: IngestPhase) -> Duration? {
        get { durations[phase] }
        set { durations[phase] = newValue }
    }

    /// Adds `elapsed` to `phase` (a phase such as `write` is the sum of many short spans).
    public mutating func add(_ elapsed: Duration, to phase: IngestPhase) {
        durations[phase, default: .zero] += elapsed
    }
}

/// Per-phase latency histograms over every instance a process ingested, for `dcmrecv --phase-stats`.
/// Memory is fixed whatever the number of instances: each phase keeps counts in logarithmic
/// buckets, eight per doubling, so a reported percentile is the upper edge of its bucket (at
/// most 9 % above the true value).
public final class IngestPhaseStatistics: @unchecked Sendable {
    /// A phase's percentiles in seconds, over `count` instances.
    public struct Summary: Sendable, Equatable {
        public let phase: IngestPhase
        public let count: Int
        public let p50: Double
        public let p90: Double
    }

    static let bucketsPerDoubling = 8.0
    /// Bucket 0 holds everything up to 1 µs; the last one everything from about an hour.
    static let bucketCount = 256

    private let lock = NSLock()
    private var counts: [IngestPhase: [Int]] = [:]
    private var readBacks = 0

    /// Data sets that had to be read back from their written file (deflated, too large to keep
    /// while arriving, or damaged) instead of from what was kept as they arrived.
    public var readBackCount: Int { lock.withLock { readBacks } }

    public func countReadBack() {
        lock.withLock { readBacks += 1 }
    }

    public init() {}

    /// Records the phases of one instance.
    public func record(_ timings: IngestTimings) {
        lock.withLock {
            for (phase, elapsed) in timings.durations {
                counts[phase, default: Array(repeating: 0, count: Self.bucketCount)][Self.bucket(of: elapsed)] += 1
            }
        }
    }

    /// Records one phase of one instance (the response, timed after the instance was recorded).
    public func record(_ phase: IngestPhase, _ elapsed: Duration) {
        var timings = IngestTimings()
        timings[phase] = elapsed
        record(timings)
    }

    /// Percentiles of every phase recorded at least once, in the phases' order.
    public func summaries() -> [Summary] {
        let counts = lock.withLock { self.counts }
        return IngestPhase.allCases.compactMap { phase in
            guard let buckets = counts[phase] else { return nil }
            let total = buckets.reduce(0, +)
            return Summary(phase: phase, count: total,
                           p50: Self.percentile(0.5, of: buckets, total: total),
                           p90: Self.percentile(0.9, of: buckets, total: total))
        }
    }

    /// One info line per phase: `ingest phase` with phase, instances, p50_ms and p90_ms; then
    /// `ingest data sets read back` with their count.
    public func log(to logger: Logger) {
        defer { logger.info("ingest data sets read back", metadata: ["count": "\(readBackCount)"]) }
        for summary in summaries() {
            logger.info("ingest phase", metadata: [
                "phase": "\(summary.phase.rawValue)", "instances": "\(summary.count)",
                "p50_ms": "\(String(format: "%.3f", summary.p50 * 1000))",
                "p90_ms": "\(String(format: "%.3f", summary.p90 * 1000))"])
        }
    }

    static func bucket(of elapsed: Duration) -> Int {
        let microseconds = elapsed.seconds * 1e6
        guard microseconds > 1 else { return 0 }
        return min(Int((log2(microseconds) * bucketsPerDoubling).rounded(.up)), bucketCount - 1)
    }

    /// The upper edge, in seconds, of the bucket holding the `fraction` quantile.
    static func percentile(_ fraction: Double, of buckets: [Int], total: Int) -> Double {
        let rank = max(1, Int((fraction * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in buckets.enumerated() {
            seen += count
            if seen >= rank { return pow(2, Double(index) / bucketsPerDoubling) / 1e6 }
        }
        return pow(2, Double(bucketCount - 1) / bucketsPerDoubling) / 1e6
    }
}
