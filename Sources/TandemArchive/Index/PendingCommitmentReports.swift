import Foundation
import GRDB

/// A storage commitment report (N-EVENT-REPORT, PS3.4 J.3.3) that could not be delivered: the
/// requestor's association had ended and a new association to it failed. `dcmrecv` retries it
/// with back-off until it is delivered or too old (docs/configuration.md, `[commitment]`).
public struct PendingCommitmentReport: Sendable, Equatable {
    public var id: Int64
    public var transactionUID: String
    /// The requestor's AE title: the `[[peer]]` the report goes to.
    public var requestorAETitle: String
    /// Event Type ID: 1 all committed, 2 some failed (PS3.4 Table J.3-3).
    public var eventTypeID: UInt16
    /// The Event Information, encoded in Explicit VR Little Endian.
    public var eventInformation: [UInt8]
    public var createdAt: Date
    /// Deliveries tried on a new association, the first included.
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String

    init(row: Row) {
        id = row["id"]
        transactionUID = row["transaction_uid"]
        requestorAETitle = row["requestor_ae"]
        eventTypeID = UInt16(clamping: row["event_type_id"] as Int)
        eventInformation = [UInt8](row["event_information"] as Data)
        createdAt = row["created_at"]
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        lastError = row["last_error"]
    }
}

enum CommitmentSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "commitment_report") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("transaction_uid", .text).notNull()
            table.column("requestor_ae", .text).notNull()
            table.column("event_type_id", .integer).notNull()
            table.column("event_information", .blob).notNull()
            table.column("created_at", .datetime).notNull()
            table.column("attempts", .integer).notNull()
            table.column("next_attempt_at", .datetime).notNull().indexed()
            table.column("last_error", .text).notNull()
        }
    }
}

extension ArchiveIndex {
    /// Keeps a report whose first delivery on a new association failed (fenced, like every write).
    @discardableResult
    public func keepCommitmentReport(transactionUID: String, requestorAETitle: String, eventTypeID: UInt16,
                                     eventInformation: [UInt8], error: String, createdAt: Date,
                                     nextAttemptAt: Date) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO commitment_report (transaction_uid, requestor_ae, event_type_id, event_information,
                                               created_at, attempts, next_attempt_at, last_error)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                """, arguments: [transactionUID, requestorAETitle, Int(eventTypeID), Data(eventInformation),
                                 createdAt, nextAttemptAt, error])
            return db.lastInsertedRowID
        }
    }

    /// Reports whose next attempt is due at `now`, oldest first.
    public func dueCommitmentReports(now: Date = Date(), limit: Int = 50) async throws -> [PendingCommitmentReport] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM commitment_report WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now, limit]).map(PendingCommitmentReport.init(row:))
        }
    }

    /// When the next kept report falls due; nil when none is kept.
    public func nextCommitmentReportAttempt() async throws -> Date? {
        try await database.read { db in
            try Date.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM commitment_report")
        }
    }

    /// Every kept report, oldest first (for status and tests).
    public func pendingCommitmentReports() async throws -> [PendingCommitmentReport] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM commitment_report ORDER BY id").map(PendingCommitmentReport.init(row:))
        }
    }

    /// Records a failed retry and when to try again.
    public func deferCommitmentReport(_ id: Int64, error: String, nextAttemptAt: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE commitment_report SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?
                """, arguments: [nextAttemptAt, error, id])
        }
    }

    /// Forgets a report: delivered, or given up on.
    public func removeCommitmentReport(_ id: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM commitment_report WHERE id = ?", arguments: [id])
        }
    }
}
