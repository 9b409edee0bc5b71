import Foundation
import Hummingbird
import TandemArchive

/// Records every search, view, download, store, sign-in and sign-out by a user in the audit
/// trail, with the study and patient it concerned and its outcome. The row is written before the
/// response leaves: a process that can no longer write it (fenced) answers 503 instead.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let trail: AuditTrail

    func handle(_ request: Request, context: WebContext,
                next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard let action = Self.action(method: request.method, path: request.uri.path),
              !Self.isWorklistRefresh(request) else {
            return try await next(request, context)
        }
        let status: Int, result: Result<Response, any Error>
        do {
            let response = try await next(request, context)
            (status, result) = (response.status.code, .success(response))
        } catch {
            (status, result) = ((error as? any HTTPResponseError)?.status.code ?? 500, .failure(error))
        }
        guard let user = context.notes.user ?? context.identity?.user else { return try result.get() }
        let study = context.notes.study ?? Self.studyUID(in: request.uri.path)
        let series = action == "view" ? Self.seriesUID(in: request.uri.path) : nil
        let patientID = study.flatMap { try? trail.index.study(studyInstanceUID: $0)?.patientID }
        let success = (200..<400).contains(status)
        do {
            try await trail.record(AuditEntry(
                time: Date(), user: user.name, role: user.role.rawValue, action: action, studyUID: study,
                seriesUID: series, patientID: patientID, client: context.clientAddress, outcome: success ? "success" : "failure \(status)"))
        } catch let fenced as FencedError {
            throw HTTPError(.serviceUnavailable, message: "\(fenced)")
        }
        return try result.get()
    }

    /// The audited action of a route, nil for what is not audited (health, pages, static files).
    static func action(method: HTTPRequest.Method, path: String) -> String? {
        switch (method, path) {
        case (.post, "/login"): return "login"
        case (.post, "/logout"): return "logout"
        default: break
        }
        // The worklist's search; its periodic refresh and the other /api routes are not audited
        // here (reading status changes write their own rows with the change).
        if method == .get, path == "/api/worklist" { return "search" }
        let segments = path.split(separator: "/")
        if segments.first == "viewer", method == .get {
            // The viewer's page opens a study; its pixel stream is the view of one series (the
            // geometry that precedes it is not counted twice).
            if segments.count == 2 { return "open" }
            return segments.last == "pixels" ? "view" : nil
        }
        guard segments.first == "dicomweb" else { return nil }
        if method == .post { return "store" }
        guard method == .get, let last = segments.last else { return nil }
        if ["studies", "series", "instances"].contains(last) { return "search" }
        if segments.contains(where: { ["metadata", "rendered", "thumbnail", "frames", "bulkdata"].contains($0) }) {
            return "view"
        }
        return "download"
    }

    /// The worklist page polling the search it already made (audited when first made).
    static func isWorklistRefresh(_ request: Request) -> Bool {
        request.uri.path == "/api/worklist" && request.uri.queryParameters["refresh"] != nil
    }

    /// The Study Instance UID a `/dicomweb/studies/{uid}/…`, `/viewer/{uid}` or
    /// `/viewer/api/studies/{uid}/…` path names.
    static func studyUID(in path: String) -> String? {
        uid(after: "studies", in: path) ?? {
            let segments = path.split(separator: "/")
            guard segments.count == 2, segments[0] == "viewer" else { return nil }
            return (try? ValidatedUID(String(segments[1])))?.value
        }()
    }

    /// The Series Instance UID a `…/series/{uid}/…` path names.
    static func seriesUID(in path: String) -> String? {
        uid(after: "series", in: path)
    }

    /// The UID that follows `name` in a `/dicomweb/…` or `/viewer/api/…` path.
    private static func uid(after name: String, in path: String) -> String? {
        let segments = path.split(separator: "/")
        let prefix = segments.starts(with: ["dicomweb"]) ? 1 : segments.starts(with: ["viewer", "api"]) ? 2 : nil
        guard let prefix, let position = segments.dropFirst(prefix).firstIndex(where: { $0 == name }),
              position + 1 < segments.count else { return nil }
        return (try? ValidatedUID(String(segments[position + 1])))?.value
    }
}
