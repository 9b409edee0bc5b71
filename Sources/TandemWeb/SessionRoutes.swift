import Foundation
import Hummingbird

/// The browser's sign-in (`GET`/`POST /login`), sign-out (`POST /logout`) and, until the worklist
/// exists, a start page at `/` naming the signed-in user. The session cookie is HttpOnly,
/// SameSite=Strict, Secure under TLS, and lives until `[web] session_timeout` of inactivity.
struct SessionRoutes {
    let authenticator: Authenticator
    let sessions: SessionStore
    let secureCookies: Bool

    struct SignIn: Decodable {
        var name: String
        var password: String
    }

    struct SignOut: Decodable {
        var csrf_token: String
    }

    func register(on router: Router<WebContext>) {
        router.get("/login") { _, _ in Self.page(Self.loginForm(message: nil)) }
        router.post("/login") { request, context -> Response in
            guard let form = try? await URLEncodedFormDecoder().decode(SignIn.self, from: request, context: context) else {
                throw HTTPError(.badRequest, message: "expected a form with name and password")
            }
            let user: WebUser
            do {
                user = try await authenticator.verify(name: form.name, password: form.password, client: context.clientAddress)
            } catch let error as HTTPError where error.status == .unauthorized {
                var page = Self.page(Self.loginForm(message: "Wrong user name or password."))
                page.status = .unauthorized
                return page
            }
            context.notes.user = user
            let session = try await sessions.create(for: user)
            var response = Response(status: .seeOther, headers: [.location: "/"])
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
        router.get("/") { _, context -> Response in
            let identity = try context.authorize(.read)
            let csrf = identity.csrfToken.map { """
                <form method="post" action="/logout"><input type="hidden" name="csrf_token" value="\(Self.escape($0))">\
                <button>Sign out</button></form>
                """ } ?? ""
            var response = Self.page("""
                <p>Signed in as <b>\(Self.escape(identity.user.name))</b> (\(identity.user.role.rawValue)).</p>
                <meta name="csrf-token" content="\(Self.escape(identity.csrfToken ?? ""))">\(csrf)
                """)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    private func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: Authenticator.sessionCookie, value: value, maxAge: maxAge, path: "/",
               secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    private static func loginForm(message: String?) -> String {
        """
        <h1>Tandem</h1>\(message.map { "<p role=\"alert\">\(escape($0))</p>" } ?? "")
        <form method="post" action="/login">
        <label>User <input name="name" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button>Sign in</button>
        </form>
        """
    }

    static func page(_ body: String) -> Response {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tandem</title></head><body>\(body)</body></html>"
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
