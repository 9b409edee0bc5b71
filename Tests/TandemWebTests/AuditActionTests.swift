import Testing
import Hummingbird
@testable import TandemWeb

@Suite("audited actions")
struct AuditActionTests {
    @Test("routes map to search, view, download, store, login, logout; health and pages are not audited")
    func actions() {
        let base = "/dicomweb/studies/1.2/series/1.3/instances/1.4"
        let cases: [(HTTPRequest.Method, String, String?)] = [
            (.get, "/dicomweb/studies", "search"), (.get, "/dicomweb/studies/1.2/series", "search"),
            (.get, "/dicomweb/studies/1.2/metadata", "view"), (.get, base + "/frames/1", "view"),
            (.get, base + "/rendered", "view"), (.get, base + "/bulkdata/7FE00010", "view"),
            (.get, "/dicomweb/studies/1.2/thumbnail", "view"), (.get, "/dicomweb/studies/1.2/series/1.3/thumbnail", "view"),
            (.get, "/dicomweb/studies/1.2", "download"), (.get, base, "download"),
            (.post, "/dicomweb/studies", "store"), (.post, "/login", "login"), (.post, "/logout", "logout"),
            (.get, "/healthz", nil), (.get, "/", nil), (.get, "/login", nil),
            (.get, "/viewer/1.2", "open"), (.get, "/viewer/api/studies/1.2/series/1.3/pixels", "view"),
            (.get, "/viewer/api/studies/1.2/series/1.3/geometry", nil), (.get, "/assets/viewer/viewer.js", nil),
        ]
        for (method, path, action) in cases {
            #expect(AuditMiddleware.action(method: method, path: path) == action, "\(method) \(path)")
        }
        #expect(AuditMiddleware.studyUID(in: base) == "1.2")
        #expect(AuditMiddleware.studyUID(in: "/dicomweb/studies/../x") == nil)
        #expect(AuditMiddleware.studyUID(in: "/viewer/1.2") == "1.2")
        #expect(AuditMiddleware.studyUID(in: "/viewer/api/studies/1.2/series/1.3/pixels") == "1.2")
        #expect(AuditMiddleware.seriesUID(in: "/viewer/api/studies/1.2/series/1.3/pixels") == "1.3")
        #expect(AuditMiddleware.seriesUID(in: base + "/frames/1") == "1.3")
        #expect(AuditMiddleware.seriesUID(in: "/dicomweb/studies/1.2/series") == nil)
        #expect(AuditMiddleware.seriesUID(in: "/viewer/api/studies/1.2/series/x/pixels") == nil)
    }
}
