import DICOMCore
import Foundation
import GRDB
import TandemArchive

/// Reading status changes in the index: each one a fenced write (`ArchiveIndex.write`) that
/// reads the current status, applies `ReadingTransition` and stores the result together with
/// its audit row, in one transaction (the row goes to syslog once committed).
struct ReadingStatusStore: Sendable {
    let trail: AuditTrail
    let readingTimeout: TimeInterval

    var index: ArchiveIndex { trail.index }

    enum Failure: Error, Equatable {
        case noSuchStudy
    }

    /// Who acts, for the audit row.
    struct Actor: Sendable {
        var user: WebUser
        var client: String
    }

    func status(of studyUID: String, now: Date = Date()) throws -> ReadingStatus? {
        try index.read { db in try Self.current(studyUID, db, expiry: now.addingTimeInterval(-readingTimeout)) }
    }

    func apply(_ action: ReadingAction, to studyUID: String, by actor: Actor,
               now: Date = Date()) async throws -> ReadingTransition.Outcome {
        let expiry = now.addingTimeInterval(-readingTimeout), readingTimeout = self.readingTimeout
        let (outcome, entries) = try await index.write { db -> (ReadingTransition.Outcome, [AuditEntry]) in
            // A lapsed claim is recorded as such before anything else happens to the study.
            let lapses = try Self.recordLapses(db, expiry: expiry, readingTimeout: readingTimeout, studyUID: studyUID)
            guard let current = try Self.current(studyUID, db, expiry: expiry) else { throw Failure.noSuchStudy }
            let outcome = ReadingTransition.apply(action, by: actor.user.name, to: current, at: now)
            switch outcome {
            case .changed(let status), .renewed(let status):
                try db.execute(sql: """
                    UPDATE study SET reading_state = ?, reading_user = ?, reading_since = ?, reading_heartbeat_at = ?
                    WHERE study_uid = ?
                    """, arguments: [status.state.rawValue, status.user, status.since, status.heartbeat, studyUID])
            case .unchanged, .conflict:
                break
            }
            // A heartbeat that finds its claim lapsed claims again: audited as a claim.
            guard let auditOutcome = Self.auditOutcome(outcome) else { return (outcome, lapses) }
            let patientID = try String.fetchOne(db, sql: """
                SELECT p.patient_id FROM study s JOIN patient p ON p.id = s.patient_ref WHERE s.study_uid = ?
                """, arguments: [studyUID])
            let entry = AuditEntry(time: now, user: actor.user.name, role: actor.user.role.rawValue,
                                   action: "status \((action == .heartbeat ? .claim : action).rawValue)",
                                   studyUID: studyUID, patientID: patientID, client: actor.client, outcome: auditOutcome)
            try AuditTrail.insert(entry, db)
            return (outcome, lapses + [entry])
        }
        entries.forEach(trail.forward)
        return outcome
    }

    /// Records every claim that lapsed by `now` (one fenced write, only when there is one); returns
    /// the audit rows written, already sent to syslog.
    func recordLapses(now: Date = Date()) async throws -> [AuditEntry] {
        let expiry = now.addingTimeInterval(-readingTimeout), readingTimeout = self.readingTimeout
        let index = self.index
        let lapsed = try await BlockingWork.run {
            try index.read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM study s WHERE " + Self.lapsedCondition + ")",
                                  arguments: [ReadingState.inProgress.rawValue, expiry]) ?? false
            }
        }
        guard lapsed else { return [] }
        let entries = try await index.write { db in
            try Self.recordLapses(db, expiry: expiry, readingTimeout: readingTimeout, studyUID: nil)
        }
        entries.forEach(trail.forward)
        return entries
    }

    /// Study `s` in progress without a heartbeat since the expiry (arguments: the in-progress
    /// state, the expiry); the reading-state index serves it.
    private static let lapsedCondition = """
        s.reading_state = ? AND (s.reading_heartbeat_at IS NULL OR s.reading_heartbeat_at < ?)
        """

    /// Inside a write: the claims (of one study, or all) whose reader sent no heartbeat since
    /// `expiry` are stored as unread, each with a `status lapse` audit row in the name of the reader
    /// who held it, timed when it lapsed (last heartbeat + `reading_timeout`). `current` already
    /// reads such a claim as unread; this makes the lapse a recorded change like the others.
    static func recordLapses(_ db: Database, expiry: Date, readingTimeout: TimeInterval,
                             studyUID: String?) throws -> [AuditEntry] {
        var arguments: StatementArguments = [ReadingState.inProgress.rawValue, expiry]
        if let studyUID { arguments += [studyUID] }
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.id, s.study_uid, s.reading_user, s.reading_since, s.reading_heartbeat_at, p.patient_id,
                   (SELECT u.role FROM web_user u WHERE u.name = s.reading_user) AS role
            FROM study s JOIN patient p ON p.id = s.patient_ref
            WHERE \(lapsedCondition)
            """ + (studyUID == nil ? "" : " AND s.study_uid = ?"), arguments: arguments)
        return try rows.map { row in
            try db.execute(sql: """
                UPDATE study SET reading_state = ?, reading_user = NULL, reading_since = NULL, reading_heartbeat_at = NULL
                WHERE id = ?
                """, arguments: [ReadingState.unread.rawValue, row["id"] as Int64])
            let lastSign: Date = row["reading_heartbeat_at"] ?? row["reading_since"] ?? expiry
            let entry = AuditEntry(time: lastSign.addingTimeInterval(readingTimeout), user: row["reading_user"] ?? "",
                                   role: row["role"] ?? "", action: "status lapse", studyUID: row["study_uid"],
                                   patientID: row["patient_id"], client: lapseClient, outcome: "success")
            try AuditTrail.insert(entry, db)
            return entry
        }
    }

    /// The audit row's client for a lapse, which no client asked for.
    static let lapseClient = "dcmweb"

    /// Changes and refusals are audited; a renewed heartbeat or a no-op is not.
    private static func auditOutcome(_ outcome: ReadingTransition.Outcome) -> String? {
        switch outcome {
        case .changed: "success"
        case .conflict: "failure 409"
        case .renewed, .unchanged: nil
        }
    }

    /// The study's effective status (an in-progress one without a heartbeat since `expiry` is unread).
    static func current(_ studyUID: String, _ db: Database, expiry: Date) throws -> ReadingStatus? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT reading_state, reading_user, reading_since, reading_heartbeat_at FROM study WHERE study_uid = ?
            """, arguments: [studyUID]) else { return nil }
        let state = ReadingState(rawValue: row["reading_state"]) ?? .unread
        let heartbeat: Date? = row["reading_heartbeat_at"]
        if state == .inProgress, (heartbeat ?? .distantPast) < expiry { return .unread }
        return ReadingStatus(state: state, user: state == .unread ? nil : row["reading_user"],
                             since: state == .unread ? nil : row["reading_since"],
                             heartbeat: state == .inProgress ? heartbeat : nil)
    }
}
