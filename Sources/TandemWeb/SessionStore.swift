import Foundation
import GRDB
import TandemArchive

/// A signed-in browser: the user and the CSRF token its state-changing requests must carry.
struct WebSession: Sendable, Equatable {
    var user: WebUser
    var csrfToken: String
}

/// Browser sessions in the index, so they survive a restart and a failover. The cookie carries a
/// random id; the index keeps its SHA-256 only. A session ends after `timeout` without a request
/// (`[web] session_timeout`), at sign-out, and when its user is disabled or changes password.
struct SessionStore: Sendable {
    let index: ArchiveIndex
    let timeout: TimeInterval
    /// `last_seen_at` is written at most this often, so a busy viewer does not cost a fenced write
    /// (an fsync) per request; the idle timeout is then exact to within this.
    static let touchInterval: TimeInterval = 60

    /// Creates a session and returns its id (the cookie value) and CSRF token.
    func create(for user: WebUser) async throws -> (id: String, csrfToken: String) {
        let id = Secrets.random(), csrf = Secrets.random()
        let digest = Secrets.digest(id), now = Date(), expired = now.addingTimeInterval(-timeout)
        try await index.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE last_seen_at < ?", arguments: [expired])
            try db.execute(sql: """
                INSERT INTO web_session (session_digest, user_ref, csrf_token, created_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [digest, user.id, csrf, now, now])
        }
        return (id, csrf)
    }

    /// The live session with this id, its idle clock restarted.
    func resume(id: String, now: Date = Date()) async throws -> WebSession? {
        let digest = Secrets.digest(id)
        let found = try index.read { db -> (WebSession, Date)? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT web_user.*, web_session.csrf_token, web_session.last_seen_at
                FROM web_session JOIN web_user ON web_user.id = web_session.user_ref
                WHERE web_session.session_digest = ? AND web_user.disabled = 0
                """, arguments: [digest]), let user = UserDirectory.user(from: row) else { return nil }
            return (WebSession(user: user, csrfToken: row["csrf_token"]), row["last_seen_at"])
        }
        guard let (session, lastSeen) = found, now.timeIntervalSince(lastSeen) < timeout else { return nil }
        if now.timeIntervalSince(lastSeen) >= Self.touchInterval {
            try await index.write { db in
                try db.execute(sql: "UPDATE web_session SET last_seen_at = ? WHERE session_digest = ?",
                               arguments: [now, digest])
            }
        }
        return session
    }

    func end(id: String) async throws {
        let digest = Secrets.digest(id)
        try await index.write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE session_digest = ?", arguments: [digest])
        }
    }

    /// Sessions alive now (for /metrics).
    func liveCount(now: Date = Date()) throws -> Int {
        try index.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM web_session WHERE last_seen_at >= ?",
                             arguments: [now.addingTimeInterval(-timeout)]) ?? 0
        }
    }
}
