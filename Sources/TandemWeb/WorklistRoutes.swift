import DICOMCore
import Foundation
import Hummingbird
import TandemArchive

/// The worklist's API (docs/reading-room.md, "Worklist API"): `GET /api/worklist` (a page of
/// studies), `/api/worklist/neighbours?study=UID` (previous and next in the same order) and
/// `/api/worklist/choices` (centres and modalities to filter by). A search is audited, the page's
/// periodic refresh of the same search (`refresh=1`) is not.
struct WorklistRoutes {
    let worklist: Worklist

    func register(on router: Router<WebContext>) {
        router.get("/api/worklist") { request, context -> Response in
            try context.authorize(.read)
            let query = try Self.query(request, ignoring: ["refresh"])
            let worklist = self.worklist
            return try JSONResponse.make(try await BlockingWork.run { try worklist.page(query) })
        }
        router.get("/api/worklist/neighbours") { request, context -> Response in
            try context.authorize(.read)
            guard let study = request.uri.queryParameters["study"].flatMap({ try? ValidatedUID(String($0)) }) else {
                throw HTTPError(.badRequest, message: "study must be a Study Instance UID")
            }
            let query = try Self.query(request, ignoring: ["study"])
            let worklist = self.worklist
            return try JSONResponse.make(try await BlockingWork.run { try worklist.neighbours(of: study.value, in: query) })
        }
        router.get("/api/worklist/choices") { _, context -> Response in
            try context.authorize(.read)
            let worklist = self.worklist
            return try JSONResponse.make(try await BlockingWork.run { try worklist.choices() })
        }
    }

    private static func query(_ request: Request, ignoring: Set<String>) throws -> WorklistQuery {
        let parameters = request.uri.queryParameters.map { (key: String($0.key), value: String($0.value)) }
        do {
            return try WorklistQuery(parameters: parameters, ignoring: ignoring)
        } catch {
            throw HTTPError(.badRequest, message: error.description)
        }
    }
}
