import Foundation
import GRDB
import TandemArchive

/// One audited action (docs/dicomweb.md, "Audit"; the fields of docs/design.md's audit rows).
public struct AuditEntry: Sendable, Equatable {
    public var time: Date
    public var user: String
    public var role: String
    /// search, open (the viewer opened a study), view, download, store, login, logout, status <action>
    /// (reading status).
    public var action: String
    public var studyUID: String?
    /// The series a view concerned, when the request named one.
    public var seriesUID: String?
    public var patientID: String?
    public var client: String
    /// `success`, or `failure <HTTP status>`.
    public var outcome: String

    public init(time: Date, user: String, role: String, action: String, studyUID: String?, seriesUID: String? = nil,
                patientID: String?, client: String, outcome: String) {
        self.time = time
        self.user = user
        self.role = role
        self.action = action
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.patientID = patientID
        self.client = client
        self.outcome = outcome
    }
}

/// The audit rows in `index.sqlite` (`web_audit`). Recording is a fenced write, like every write.
public struct AuditTrail: Sendable {
    public let index: ArchiveIndex
    /// `[web] audit_syslog`: each row also shipped as a syslog line, once it is committed.
    let syslog: AuditSyslog?

    public init(index: ArchiveIndex) {
        self.init(index: index, syslog: nil)
    }

    init(index: ArchiveIndex, syslog: AuditSyslog?) {
        self.index = index
        self.syslog = syslog
    }

    func record(_ entry: AuditEntry) async throws {
        try await index.write { db in try Self.insert(entry, db) }
        syslog?.send(entry)
    }

    /// The row of `entry`, inside a write the caller holds (a change and its audit row commit
    /// together); the caller sends it to syslog (`forward`) once committed.
    static func insert(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO web_audit (time, user, role, action, study_uid, series_uid, patient_id, client, outcome)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.time, entry.user, entry.role, entry.action, entry.studyUID, entry.seriesUID,
                             entry.patientID, entry.client, entry.outcome])
    }

    /// Sends a committed row to the syslog collector, when one is configured.
    func forward(_ entry: AuditEntry) {
        syslog?.send(entry)
    }

    /// Entries in time order, narrowed to a user, a study and a start time when given.
    public func entries(user: String? = nil, studyUID: String? = nil, since: Date? = nil) throws -> [AuditEntry] {
        var terms: [String] = [], arguments: StatementArguments = []
        if let user { terms.append("user = ?"); arguments += [user] }
        if let studyUID { terms.append("study_uid = ?"); arguments += [studyUID] }
        if let since { terms.append("time >= ?"); arguments += [since] }
        let whereClause = terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")
        return try index.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM web_audit" + whereClause + " ORDER BY time, id", arguments: arguments)
                .map { row in
                    AuditEntry(time: row["time"], user: row["user"], role: row["role"], action: row["action"],
                               studyUID: row["study_uid"], seriesUID: row["series_uid"], patientID: row["patient_id"],
                               client: row["client"], outcome: row["outcome"])
                }
        }
    }
}
