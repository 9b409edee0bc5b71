import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Remembers recent successful HTTP Basic verifications, so a DICOMweb client that sends its
/// password with every request pays bcrypt once, not per request. Keyed by a SHA-256 of the
/// credentials (the password is not kept), valued by the bcrypt hash they matched: a cached
/// entry counts only while the user's stored hash is still that one, so `user passwd` and
/// `user disable` take effect at once. Bounded: at capacity it is emptied.
final class CredentialCache: Sendable {
    private let entries = NIOLockedValueBox<[String: (hash: String, expires: Date)]>([:])
    let lifetime: TimeInterval
    let capacity: Int

    init(lifetime: TimeInterval = 300, capacity: Int = 1_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func matchedHash(name: String, password: String, now: Date = Date()) -> String? {
        let key = Self.key(name: name, password: password)
        return entries.withLockedValue { entries in
            guard let entry = entries[key], entry.expires > now else { return nil }
            return entry.hash
        }
    }

    func remember(name: String, password: String, hash: String, now: Date = Date()) {
        let key = Self.key(name: name, password: password)
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (hash, now.addingTimeInterval(lifetime))
        }
    }

    private static func key(name: String, password: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(name.utf8))
        hasher.update(data: [0])
        hasher.update(data: Data(password.utf8))
        return Data(hasher.finalize()).base64EncodedString()
    }
}
