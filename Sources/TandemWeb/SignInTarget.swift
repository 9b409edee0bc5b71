import Foundation
import Hummingbird
import HummingbirdCore

/// Where the browser goes after signing in: back to the page it asked for before (`/login?next=…`),
/// but only to a path on this server — never an absolute URL, a scheme-relative `//host` or a
/// backslash trick that some browsers read as one (an open redirect).
enum SignInTarget {
    static let maximumLength = 2048

    /// `/login?next=<the request's path and query>`.
    static func loginURL(returningTo uri: URI) -> String {
        let target = uri.query.map { "\(uri.path)?\($0)" } ?? uri.path
        guard target != "/", let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else {
            return "/login"
        }
        return "/login?next=\(encoded)"
    }

    /// The local path `next` names, or `/` when it is absent or not a safe local path.
    static func destination(_ next: String?) -> String {
        guard let next, !next.isEmpty, next.utf8.count <= maximumLength, next.hasPrefix("/"),
              !next.hasPrefix("//"), !next.contains("\\"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return "/" }
        return next
    }
}
