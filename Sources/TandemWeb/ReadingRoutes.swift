import DICOMCore
import Foundation
import Hummingbird
import TandemArchive

/// A study's reading status (docs/reading-room.md, "Reading status"):
/// `GET /api/studies/{uid}/reading`, and `POST` with `{"action": "claim" | "take-over" | "release"
/// | "read" | "reopen" | "heartbeat"}`. 200 with the new status; 409 with the reason and the
/// current status when the action does not apply (e.g. someone else is reading it).
struct ReadingRoutes {
    let store: ReadingStatusStore

    struct ActionRequest: Decodable {
        var action: ReadingAction
    }

    struct Refusal: Encodable {
        var error: String
        var status: ReadingStatus
    }

    func register(on router: Router<WebContext>) {
        router.get("/api/studies/:study/reading") { _, context -> Response in
            try context.authorize(.read)
            let study = try Self.study(context)
            let store = self.store
            guard let status = try await BlockingWork.run({ try store.status(of: study) }) else {
                throw HTTPError(.notFound, message: "no such study")
            }
            return try JSONResponse.make(status)
        }
        router.post("/api/studies/:study/reading") { request, context -> Response in
            let identity = try context.authorize(.setReadingStatus)
            let study = try Self.study(context)
            guard let body = try? await request.decode(as: ActionRequest.self, context: context) else {
                let actions = ReadingAction.allCases.map(\.rawValue).joined(separator: ", ")
                throw HTTPError(.badRequest, message: "expected {\"action\": …} with one of \(actions)")
            }
            let outcome: ReadingTransition.Outcome
            do {
                outcome = try await store.apply(body.action, to: study,
                                                by: .init(user: identity.user, client: context.clientAddress))
            } catch ReadingStatusStore.Failure.noSuchStudy {
                throw HTTPError(.notFound, message: "no such study")
            } catch let fenced as FencedError {
                throw HTTPError(.serviceUnavailable, message: "\(fenced)")
            }
            switch outcome {
            case .changed(let status), .renewed(let status), .unchanged(let status):
                return try JSONResponse.make(status)
            case .conflict(let reason, let current):
                return try JSONResponse.make(Refusal(error: reason, status: current), status: .conflict)
            }
        }
    }

    private static func study(_ context: WebContext) throws -> String {
        guard let text = context.parameters.get("study"), let uid = try? ValidatedUID(text) else {
            throw HTTPError(.badRequest, message: "not a Study Instance UID")
        }
        return uid.value
    }
}
