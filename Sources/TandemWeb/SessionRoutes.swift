import Foundation
import Hummingbird

/// The browser's sign-in (`GET`/`POST /login`, then back to the page it came from), sign-out
/// (`POST /logout`) and `GET /api/session`, which tells the pages who is signed in and their CSRF
/// token. The session cookie is HttpOnly, SameSite=Strict, Secure under TLS, and lives until
/// `[web] session_timeout` of inactivity.
struct SessionRoutes {
    let authenticator: Authenticator
    let sessions: SessionStore
    let secureCookies: Bool
    let readingTimeoutSeconds: Int

    struct SignIn: Decodable {
        var name: String
        var password: String
        var next: String?
    }

    /// What `/api/session` answers.
    struct SessionInfo: ResponseEncodable {
        var user: String
        var role: String
        /// Sent back as `X-CSRF-Token` on state-changing requests (session sign-ins only).
        var csrfToken: String?
        /// `[web] reading_timeout`: the viewer's heartbeat must come more often than this.
        var readingTimeout: Int
    }

    struct SignOut: Decodable {
        var csrf_token: String
    }

    func register(on router: Router<WebContext>) {
        router.get("/login") { request, _ in
            Self.page(Self.loginForm(message: nil, next: SignInTarget.destination(request.uri.queryParameters["next"].map(String.init))))
        }
        router.post("/login") { request, context -> Response in
            guard let form = try? await URLEncodedFormDecoder().decode(SignIn.self, from: request, context: context) else {
                throw HTTPError(.badRequest, message: "expected a form with name and password")
            }
            let user: WebUser
            do {
                user = try await authenticator.verify(name: form.name, password: form.password, client: context.clientAddress)
            } catch let error as HTTPError where error.status == .unauthorized {
                var page = Self.page(Self.loginForm(message: "Wrong user name or password.",
                                                     next: SignInTarget.destination(form.next)))
                page.status = .unauthorized
                return page
            }
            context.notes.user = user
            let session = try await sessions.create(for: user)
            var response = Response(status: .seeOther, headers: [.location: SignInTarget.destination(form.next)])
            response.setCookie(sessionCookie(session.id, maxAge: Int(sessions.timeout)))
            return response
        }
        router.post("/logout") { request, context -> Response in
            let identity = try context.requireUser()
            guard identity.kind == .session, let sessionID = identity.sessionID else {
                throw HTTPError(.badRequest, message: "not signed in with a session")
            }
            let form = try? await URLEncodedFormDecoder().decode(SignOut.self, from: request, context: context)
            let sent = request.headers[Authenticator.csrfHeader] ?? form?.csrf_token ?? ""
            guard let expected = identity.csrfToken, Secrets.constantTimeEquals(sent, expected) else {
                throw HTTPError(.forbidden, message: "missing or wrong CSRF token")
            }
            try await sessions.end(id: sessionID)
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.setCookie(sessionCookie("", maxAge: 0))
            return response
        }
        router.get("/api/session") { request, context -> Response in
            let identity = try context.requireUser()
            var response = try SessionInfo(user: identity.user.name, role: identity.user.role.rawValue,
                                           csrfToken: identity.csrfToken, readingTimeout: readingTimeoutSeconds).response(from: request, context: context)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    private func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: Authenticator.sessionCookie, value: value, maxAge: maxAge, path: "/",
               secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    private static func loginForm(message: String?, next: String) -> String {
        """
        <main class="sign-in"><h1>Tandem</h1>\(message.map { "<p role=\"alert\">\(escape($0))</p>" } ?? "")
        <form method="post" action="/login">
        <input type="hidden" name="next" value="\(escape(next))">
        <label>User <input name="name" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button>Sign in</button>
        </form></main>
        """
    }

    static func page(_ body: String) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem</title>\
            <meta name="viewport" content="width=device-width, initial-scale=1">\
            <meta name="color-scheme" content="dark">\
            <link rel="icon" href="/assets/common/favicon.svg">\
            <link rel="stylesheet" href="/assets/common/theme.css"></head><body>\(body)</body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8",
                                               .contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
