import Foundation
import TandemArchive

/// How `dcmroute list` and `show` print jobs: one text line per job, or JSON for scripts.
public enum JobReport {
    public static func line(_ job: RouteJob) -> String {
        let total = job.queuedItems + job.deliveredItems + job.failedItems
        var text = "\(job.id)\t\(job.state.rawValue)\t\(job.studyInstanceUID)\t→ \(job.destination)"
            + "\t\(job.deliveredItems)/\(total) delivered"
        if job.failedItems > 0 { text += ", \(job.failedItems) refused" }
        text += "\tattempts \(job.attempts)"
        if job.state == .failedWillRetry { text += "\tnext \(timestamp(job.nextAttemptAt))" }
        if job.state == .running, let owner = job.leaseOwner { text += "\tby \(owner) (epoch \(job.leaseEpoch ?? 0))" }
        if let error = job.lastError, job.state != .done { text += "\t\(error)" }
        return text
    }

    /// The job's fields and then one line per instance.
    public static func detail(_ job: RouteJob, items: [JobItem]) -> String {
        var lines = [
            "job \(job.id): \(job.state.rawValue)",
            "study: \(job.studyInstanceUID)",
            "destination: \(job.destination) (route \(job.routeName))",
            "attempts: \(job.attempts)",
            "next attempt: \(timestamp(job.nextAttemptAt))",
            "stable after: \(job.stableAfterSeconds) s",
            "created: \(timestamp(job.createdAt)), updated: \(timestamp(job.updatedAt))",
        ]
        if let owner = job.leaseOwner {
            lines.append("claimed by: \(owner) under epoch \(job.leaseEpoch ?? 0) until \(job.leaseExpiresAt.map(timestamp) ?? "?")")
        }
        if let error = job.lastError { lines.append("last error: \(error)") }
        lines.append("instances: \(job.deliveredItems) delivered, \(job.queuedItems) queued, \(job.failedItems) refused")
        for item in items {
            var line = "  \(item.sopInstanceUID)\t\(item.state.rawValue)"
            if let status = item.status { line += "\tstatus \(String(format: "%04X", status))H" }
            if let detail = item.detail { line += "\t\(detail)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ job: RouteJob, items: [JobItem]? = nil) -> String {
        struct Shown: Encodable {
            let job: RouteJob
            let items: [JobItem]?
            func encode(to encoder: any Encoder) throws {
                try job.encode(to: encoder)
                if let items {
                    var container = encoder.container(keyedBy: ItemsKey.self)
                    try container.encode(items, forKey: .items)
                }
            }
            enum ItemsKey: String, CodingKey { case items }
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Shown(job: job, items: items))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
