import Foundation
import GRDB
import HummingbirdBcrypt
import TandemArchive

/// Users, passwords and bearer tokens in the index (`dcmweb user …`, `dcmweb token …`). Every
/// change is a fenced write (`ArchiveIndex.write`). Passwords are kept as bcrypt hashes
/// (salted, cost `bcryptCost`); tokens as SHA-256 digests.
public struct UserDirectory: Sendable {
    public let index: ArchiveIndex
    /// bcrypt's work factor: 2^cost rounds (12 ≈ a quarter second on a server core).
    public let bcryptCost: UInt8

    public init(index: ArchiveIndex, bcryptCost: UInt8 = 12) {
        self.index = index
        self.bcryptCost = bcryptCost
    }

    public static let minimumPasswordLength = 8

    // MARK: Users

    @discardableResult
    public func addUser(name: String, role: WebRole, password: String) throws -> WebUser {
        guard WebUser.isValidName(name) else { throw UserDirectoryError.invalidName(name) }
        let hash = try hashPassword(password)
        let now = Date()
        return try index.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM web_user WHERE name = ?", arguments: [name]) != nil {
                throw UserDirectoryError.duplicateName(name)
            }
            try db.execute(sql: """
                INSERT INTO web_user (name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, 0, ?)
                """, arguments: [name, role.rawValue, hash, now])
            return WebUser(id: db.lastInsertedRowID, name: name, role: role, disabled: false, createdAt: now)
        }
    }

    public func users() throws -> [WebUser] {
        try index.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM web_user ORDER BY name").compactMap(Self.user(from:))
        }
    }

    public func user(named name: String) throws -> WebUser? {
        try index.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name = ?", arguments: [name]).flatMap(Self.user(from:))
        }
    }

    public func user(id: Int64) throws -> WebUser? {
        try index.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE id = ?", arguments: [id]).flatMap(Self.user(from:))
        }
    }

    /// Sets a new password; the user's browser sessions end (a changed password is often a response
    /// to a leaked one).
    public func setPassword(name: String, password: String) throws {
        let hash = try hashPassword(password)
        try index.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM web_user WHERE name = ?", arguments: [name]) else {
                throw UserDirectoryError.unknownUser(name)
            }
            try db.execute(sql: "UPDATE web_user SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            try db.execute(sql: "DELETE FROM web_session WHERE user_ref = ?", arguments: [id])
        }
    }

    /// Disables (or enables again) a user: a disabled user's password, tokens and sessions are refused.
    public func setDisabled(name: String, _ disabled: Bool) throws {
        try index.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM web_user WHERE name = ?", arguments: [name]) else {
                throw UserDirectoryError.unknownUser(name)
            }
            try db.execute(sql: "UPDATE web_user SET disabled = ? WHERE id = ?", arguments: [disabled, id])
            if disabled { try db.execute(sql: "DELETE FROM web_session WHERE user_ref = ?", arguments: [id]) }
        }
    }

    /// The user whose password this is, nil for an unknown or disabled user or a wrong password.
    /// Costs one bcrypt verification (even for an unknown user, so timing does not tell which
    /// names exist). Returns the matching hash too, for `CredentialCache`.
    func verifyPassword(name: String, password: String) throws -> (user: WebUser, hash: String)? {
        let row = try index.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name = ?", arguments: [name])
        }
        guard let row, let user = Self.user(from: row) else {
            _ = Bcrypt.verify(password, hash: Self.decoyHash)
            return nil
        }
        let hash: String = row["password_hash"]
        guard Bcrypt.verify(password, hash: hash), !user.disabled else { return nil }
        return (user, hash)
    }

    /// The current password hash of an enabled user, for revalidating a cached verification.
    func passwordHash(of name: String) throws -> (user: WebUser, hash: String)? {
        try index.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name = ?", arguments: [name]),
                  let user = Self.user(from: row), !user.disabled else { return nil }
            return (user, row["password_hash"])
        }
    }

    // MARK: Tokens

    /// Creates a bearer token for a user and returns it: the only time it is shown.
    public func createToken(user name: String, tokenName: String) throws -> String {
        guard WebUser.isValidName(tokenName) else { throw UserDirectoryError.invalidName(tokenName) }
        let token = "tdm_" + Secrets.random()
        let digest = Secrets.digest(token)
        try index.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM web_user WHERE name = ?", arguments: [name]) else {
                throw UserDirectoryError.unknownUser(name)
            }
            try db.execute(sql: """
                INSERT INTO web_token (user_ref, name, token_digest, created_at) VALUES (?, ?, ?, ?)
                """, arguments: [id, tokenName, digest, Date()])
        }
        return token
    }

    /// Revokes the user's active tokens of that name.
    public func revokeToken(user name: String, tokenName: String) throws {
        try index.write { db in
            try db.execute(sql: """
                UPDATE web_token SET revoked_at = ? WHERE revoked_at IS NULL AND name = ?
                  AND user_ref = (SELECT id FROM web_user WHERE name = ?)
                """, arguments: [Date(), tokenName, name])
            guard db.changesCount > 0 else { throw UserDirectoryError.unknownToken(tokenName) }
        }
    }

    /// The enabled user an active token belongs to.
    func user(bearerToken token: String) throws -> WebUser? {
        let digest = Secrets.digest(token)
        return try index.read { db in
            try Row.fetchOne(db, sql: """
                SELECT web_user.* FROM web_token JOIN web_user ON web_user.id = web_token.user_ref
                WHERE web_token.token_digest = ? AND web_token.revoked_at IS NULL AND web_user.disabled = 0
                """, arguments: [digest]).flatMap(Self.user(from:))
        }
    }

    // MARK: Rows

    private func hashPassword(_ password: String) throws -> String {
        guard password.count >= Self.minimumPasswordLength else {
            throw UserDirectoryError.weakPassword("at least \(Self.minimumPasswordLength) characters")
        }
        // bcrypt reads at most 72 bytes; a longer password would silently lose its tail.
        guard password.utf8.count <= 72 else { throw UserDirectoryError.weakPassword("at most 72 bytes") }
        return Bcrypt.hash(password, cost: bcryptCost)
    }

    /// A valid hash no password is known for: verified against when the user does not exist.
    private static let decoyHash = Bcrypt.hash(Secrets.random(), cost: 12)

    static func user(from row: Row) -> WebUser? {
        guard let role = WebRole(rawValue: row["role"]) else { return nil }
        return WebUser(id: row["id"], name: row["name"], role: role, disabled: row["disabled"], createdAt: row["created_at"])
    }
}
