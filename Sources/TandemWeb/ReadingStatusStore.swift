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
        let expiry = now.addingTimeInterval(-readingTimeout)
        let (outcome, entry) = try await index.write { db -> (ReadingTransition.Outcome, AuditEntry?) in
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
            guard let auditOutcome = Self.auditOutcome(outcome) else { return (outcome, nil) }
            let patientID = try String.fetchOne(db, sql: """
                SELECT p.patient_id FROM study s JOIN patient p ON p.id = s.patient_ref WHERE s.study_uid = ?
                """, arguments: [studyUID])
            let entry = AuditEntry(time: now, user: actor.user.name, role: actor.user.role.rawValue,
                                   action: "status \((action == .heartbeat ? .claim : action).rawValue)",
                                   studyUID: studyUID, patientID: patientID, client: actor.client, outcome: auditOutcome)
            try AuditTrail.insert(entry, db)
            return (outcome, entry)
        }
        if let entry { trail.forward(entry) }
        return outcome
    }

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
