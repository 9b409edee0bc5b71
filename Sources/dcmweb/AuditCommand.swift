import ArgumentParser
import Foundation
import TandemCLI
import TandemWeb

struct AuditCommand: TandemCommand {
    static let toolName = "dcmweb audit"
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the audit trail: who searched, viewed, downloaded or stored what, from where, with what outcome.",
        discussion: """
        One line per entry, oldest first: time, user, role, action, study, patient ID, client, outcome
        (tab-separated; --json: one object per line).

        Example:
          dcmweb audit --study 1.2.840.99.1 --since 2026-01-31
        """)

    @Option(help: "Only this user's entries.") var user: String?
    @Option(help: "Only entries about this Study Instance UID.") var study: String?
    @Option(help: ArgumentHelp("Only entries from this time on: YYYY-MM-DD or ISO 8601 date-time (UTC unless it says).",
                               valueName: "time"))
    var since: String?
    @Flag(help: "One JSON object per line (time, user, role, action, study_uid, series_uid, patient_id, client, outcome).")
    var json = false
    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    func run(_ tool: TandemTool) async throws {
        let start = try since.map { text -> Date in
            guard let date = Self.parseTime(text) else {
                throw ToolError(.usage, "--since: \(text) is neither YYYY-MM-DD nor an ISO 8601 date-time")
            }
            return date
        }
        let archive = try tool.openArchive(root.dataRoot)
        let entries = try AuditTrail(index: archive.index).entries(user: user, studyUID: study, since: start)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for entry in entries {
            let time = formatter.string(from: entry.time)
            if json {
                let object: [String: Any] = [
                    "time": time, "user": entry.user, "role": entry.role, "action": entry.action,
                    "study_uid": entry.studyUID ?? NSNull(), "series_uid": entry.seriesUID ?? NSNull(), "patient_id": entry.patientID ?? NSNull(),
                    "client": entry.client, "outcome": entry.outcome,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print([time, entry.user, entry.role, entry.action, entry.studyUID ?? "-", entry.patientID ?? "-",
                       entry.client, entry.outcome].joined(separator: "\t"))
            }
        }
    }

    static func parseTime(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return dateOnly.date(from: text)
    }
}
