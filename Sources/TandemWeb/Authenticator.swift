import DICOMCore
import Foundation
import Hummingbird
import HTTPTypes

/// Finds out who a request acts as — HTTP Basic, a bearer token, or the session cookie — and
/// refuses what no route may receive: any request but the public ones without valid credentials
/// (401), a state-changing request by a browser session without its CSRF token, and one from a
/// foreign origin (403). Roles are checked by each route (`WebContext.authorize`).
struct Authenticator: RouterMiddleware {
    typealias Context = WebContext

    let users: UserDirectory
    let sessions: SessionStore
    let throttle: SharedLoginThrottle
    let credentials: CredentialCache
    let metrics: WebMetrics

    static let sessionCookie = "tandem_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let requestedWith = HTTPField.Name("X-Requested-With")!
    /// Answered without a login (docs/design.md: only /healthz; the sign-in form and the files it
    /// uses must be reachable).
    static let publicPaths: Set<String> = ["/login", "/assets/common/theme.css", "/assets/common/favicon.svg"]
    static let challenge: HTTPFields = [.wwwAuthenticate: #"Basic realm="Tandem", charset="UTF-8""#]

    func handle(_ request: Request, context: WebContext,
                next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if request.uri.path == "/healthz" { return try await next(request, context) }
        if request.method.isStateChanging, !Self.isSameOrigin(request) {
            throw HTTPError(.forbidden, message: "cross-origin request refused")
        }
        context.identity = try await identify(request, context: context)
        context.notes.user = context.identity?.user
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let identity = context.identity else {
            if request.method == .get, Self.isPage(request.uri.path) {
                return Response(status: .seeOther, headers: [.location: SignInTarget.loginURL(returningTo: request.uri)])
            }
            // The pages' own requests (api.js) get no Basic challenge: a browser would answer it
            // with its password dialog instead of letting the page send the user to sign in.
            let fromPage = request.headers[Self.requestedWith] != nil
            throw HTTPError(.unauthorized, headers: fromPage ? [:] : Self.challenge,
                            message: "sign in, or send HTTP Basic or a bearer token")
        }
        // CSRF (OWASP synchronizer token): a browser sends the cookie with any request, so a
        // state-changing one must also prove it comes from our page. Sign-out checks its form field.
        if identity.kind == .session, request.method.isStateChanging, request.uri.path != "/logout" {
            let sent = request.headers[Self.csrfHeader] ?? ""
            guard let expected = identity.csrfToken, Secrets.constantTimeEquals(sent, expected) else {
                throw HTTPError(.forbidden, message: "missing or wrong CSRF token")
            }
        }
        return try await next(request, context)
    }

    /// The reading room's pages, which a browser without a session is sent to sign in for (and
    /// back to afterwards); everything else answers 401.
    static func isPage(_ path: String) -> Bool {
        path == "/" || path.hasPrefix("/viewer/")
    }

    /// The identity of the first credentials present. Credentials that are present but wrong are
    /// answered 401 at once rather than falling through to anonymous.
    private func identify(_ request: Request, context: WebContext) async throws -> Identity? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw HTTPError(.unauthorized, headers: Self.challenge) }
            switch parts[0].lowercased() {
            case "basic": return try await basic(String(parts[1]), context: context)
            case "bearer":
                guard let user = try users.user(bearerToken: String(parts[1])) else {
                    throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
                }
                return Identity(user: user, kind: .bearer)
            default:
                throw HTTPError(.unauthorized, headers: Self.challenge, message: "unsupported authorization scheme")
            }
        }
        if let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty, cookie.utf8.count <= 128,
           let session = try await sessions.resume(id: cookie) {
            return Identity(user: session.user, kind: .session, csrfToken: session.csrfToken, sessionID: cookie)
        }
        return nil
    }

    private func basic(_ encoded: String, context: WebContext) async throws -> Identity {
        guard encoded.utf8.count <= 512, let data = Data(base64Encoded: encoded),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
            throw HTTPError(.unauthorized, headers: Self.challenge, message: "malformed Basic credentials")
        }
        let name = String(text[..<colon]), password = String(text[text.index(after: colon)...])
        if let cached = credentials.matchedHash(name: name, password: password),
           let current = try users.passwordHash(of: name), current.hash == cached {
            return Identity(user: current.user, kind: .basic)
        }
        let user = try await verify(name: name, password: password, client: context.clientAddress)
        return Identity(user: user, kind: .basic)
    }

    /// Checks a password under the login throttle: 429 with Retry-After while the user name or the
    /// client address is blocked, 401 for wrong credentials (counted as a failure).
    func verify(name: String, password: String, client: String) async throws -> WebUser {
        let keys: [LoginThrottle.Key] = [.user(name), .address(client)]
        if let wait = throttle.retryAfter(keys) {
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))],
                            message: "too many failed sign-ins; try again later")
        }
        let users = self.users
        let verified = try await BlockingWork.run { try users.verifyPassword(name: name, password: password) }
        guard let verified else {
            throttle.recordFailure(keys)
            metrics.recordFailedLogin()
            throw HTTPError(.unauthorized, headers: Self.challenge, message: "wrong user name or password")
        }
        throttle.recordSuccess(keys)
        credentials.remember(name: name, password: password, hash: verified.hash)
        return verified.user
    }

    /// A state-changing request whose Origin (sent by browsers on POST) names another host than
    /// the one it was sent to comes from another site's page.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], let host = request.head.authority else { return true }
        guard let url = URL(string: origin), let originHost = url.host else { return false }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased() || originHost.lowercased() == host.lowercased()
    }
}

extension HTTPRequest.Method {
    /// Methods that change state (RFC 9110 §9.2.1: all but the safe ones).
    var isStateChanging: Bool { ![.get, .head, .options].contains(self) }
}

