import Foundation
import Testing

/// The reading room's static files and sign-in redirects, over HTTP (curl).
@Suite("dcmweb: reading room files and sign-in redirects", .serialized)
struct ReadingRoomAssetTests {
    @Test("assets need a login (but the sign-in page's stylesheet), carry their content type and ETag (304 when current), and nothing outside the folder is reachable")
    func assets() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let theme = try await HTTPExchange.curl([web.url + "/assets/common/theme.css"])
        #expect(theme.status == 200 && theme.header("content-type") == "text/css; charset=utf-8")
        #expect(theme.header("cache-control") == "no-cache")
        let etag = try #require(theme.header("etag"))
        let again = try await HTTPExchange.curl(["-H", "If-None-Match: \(etag)", web.url + "/assets/common/theme.css"])
        #expect(again.status == 304 && again.body.isEmpty)

        #expect(try await HTTPExchange.curl([web.url + "/assets/common/api.js"]).status == 401)
        let api = try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/assets/common/api.js"])
        #expect(api.status == 200 && api.header("content-type") == "text/javascript; charset=utf-8")
        #expect(api.text.contains("X-CSRF-Token"))
        let page = try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/"])
        #expect(page.status == 200 && page.header("content-type") == "text/html; charset=utf-8")
        #expect(page.header("content-security-policy")?.contains("default-src 'self'") == true)

        // Traversal, raw and percent-encoded, finds nothing, signed in or not.
        for path in ["/assets/../index.sqlite", "/assets/common/../../index.sqlite", "/assets/%2e%2e/%2e%2e/Package.swift",
                     "/assets/common/%2e%2e%2fworklist%2findex.html", "/assets/common//etc/passwd", "/assets/common/theme.css/.."] {
            let signedIn = try await HTTPExchange.curl(WebTests.basic("boss") + ["--path-as-is", web.url + path])
            #expect([400, 404].contains(signedIn.status), "\(path): \(signedIn.status)")
            #expect(!signedIn.text.contains("SQLite") && !signedIn.text.contains("PackageDescription"), "\(path)")
            let anonymous = try await HTTPExchange.curl(["--path-as-is", web.url + path])
            #expect([400, 401, 404].contains(anonymous.status), "\(path): \(anonymous.status)")
        }
        #expect(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/assets/common/missing.js"]).status == 404)
    }

    @Test("a page without a session redirects to /login?next=…, sign-in returns there and only to a local path; APIs answer 401 without a Basic challenge to the pages")
    func signInRedirects() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let viewer = try await HTTPExchange.curl([web.url + "/viewer/1.2.3?series=4"])
        #expect(viewer.status == 303)
        #expect(viewer.header("location") == "/login?next=%2Fviewer%2F1%2E2%2E3%3Fseries%3D4")
        #expect(try await HTTPExchange.curl([web.url + "/"]).header("location") == "/login")

        let form = try await HTTPExchange.curl([web.url + "/login?next=%2Fviewer%2F1.2.3"])
        #expect(form.text.contains(#"name="next" value="/viewer/1.2.3""#))
        for (next, expected) in [("/viewer/1.2.3", "/viewer/1.2.3"), ("//evil.example/x", "/"),
                                 ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("", "/")] {
            let signIn = try await HTTPExchange.curl([
                "--data-urlencode", "name=rad", "--data-urlencode", "password=\(RunningWeb.password("rad"))",
                "--data-urlencode", "next=\(next)", web.url + "/login"])
            #expect(signIn.status == 303 && signIn.header("location") == expected, "\(next)")
        }

        let fromPage = try await HTTPExchange.curl(["-H", "X-Requested-With: tandem", web.url + "/api/session"])
        #expect(fromPage.status == 401 && fromPage.header("www-authenticate") == nil)
        let session = try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/session"])
        let info = try #require(try JSONSerialization.jsonObject(with: session.body) as? [String: Any])
        #expect(info["user"] as? String == "rad" && info["role"] as? String == "radiologist")
    }
}
