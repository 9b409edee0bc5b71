import GRDB

/// The tables of `dcmweb`'s users, bearer tokens and browser sessions (docs/dicomweb.md,
/// "Users and access"). Secrets are never stored: passwords as bcrypt hashes, tokens and
/// session ids as SHA-256 digests of their random bytes.
enum AccessSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "web_user") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("name", .text).notNull().unique()
            table.column("role", .text).notNull()
            table.column("password_hash", .text).notNull()
            table.column("disabled", .boolean).notNull().defaults(to: false)
            table.column("created_at", .datetime).notNull()
        }
        try db.create(table: "web_token") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("user_ref", .integer).notNull().indexed().references("web_user")
            table.column("name", .text).notNull()
            table.column("token_digest", .text).notNull().unique()
            table.column("created_at", .datetime).notNull()
            table.column("revoked_at", .datetime)
        }
        try db.create(table: "web_session") { table in
            table.column("session_digest", .text).primaryKey()
            table.column("user_ref", .integer).notNull().indexed().references("web_user")
            table.column("csrf_token", .text).notNull()
            table.column("created_at", .datetime).notNull()
            table.column("last_seen_at", .datetime).notNull().indexed()
        }
    }
}

extension AccessSchema {
    /// `web_audit`: one row per search, view, download, store, sign-in and sign-out by a user
    /// (docs/dicomweb.md, "Audit").
    static func createAudit(_ db: Database) throws {
        try db.create(table: "web_audit") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("time", .datetime).notNull().indexed()
            table.column("user", .text).notNull().indexed()
            table.column("role", .text).notNull()
            table.column("action", .text).notNull()
            table.column("study_uid", .text).indexed()
            table.column("patient_id", .text)
            table.column("client", .text).notNull()
            table.column("outcome", .text).notNull()
        }
    }

    /// `web_audit.series_uid`: the series a view concerned, when the request named one (the
    /// viewer records each series it displays).
    static func addAuditSeries(_ db: Database) throws {
        try db.alter(table: "web_audit") { table in
            table.add(column: "series_uid", .text)
        }
    }
}
