import DICOMCore
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// STOW-RS (PS3.18 §10.5): `POST /dicomweb/studies[/{study}]` with a `multipart/related;
/// type="application/dicom"` body, each part a Part 10 file, streamed through the archive's
/// ingest (docs/design.md, "Durability": fsynced and indexed before it is listed as stored).
/// Answers 200 (all stored), 202 (some failed), 409 (none stored) with the Store Instances
/// Response Module (PS3.18 §10.5.3): ReferencedSOPSequence and FailedSOPSequence.
struct StowRoutes {
    let pipeline: StorePipeline
    let calledAE: String
    /// http or https, for Retrieve URLs.
    let scheme: String
    /// `[web] stow_max_bytes`.
    let maximumBodyBytes: Int64

    /// Parts whose flush and index commit may be under way at once while later parts stream in.
    static let maximumPartsFinishing = 8

    /// The Calling AE title ingest records for instances stored over DICOMweb (routing rules may match it).
    static let callingAE = "DICOMWEB"

    func register(on router: Router<WebContext>) {
        router.post("/dicomweb/studies") { request, context in
            try await store(request, context, study: nil)
        }
        router.post("/dicomweb/studies/:study") { request, context in
            try await store(request, context, study: try context.uid("study"))
        }
    }

    /// With a study in the path, an instance of another study is not stored: it is listed in
    /// FailedSOPSequence with reason A900 (PS3.18 §10.5.3, the C-STORE "does not match" family).
    /// Each part's flush and index commit overlap the parts that follow (up to
    /// `maximumPartsFinishing` at once); the answer waits for all of them. A body over
    /// `maximumBodyBytes`, declared or sent, is answered 413; every refusal closes the connection
    /// rather than read the rest of a body nobody will store.
    private func store(_ request: Request, _ context: WebContext, study: String?) async throws -> Response {
        try context.authorize(.store)
        do {
            return try await storeParts(request, context, study: study)
        } catch let error as HTTPError {
            var headers = error.headers
            headers[.connection] = "close"
            throw HTTPError(error.status, headers: headers, message: error.body)
        }
    }

    private func storeParts(_ request: Request, _ context: WebContext, study: String?) async throws -> Response {
        let contentType = AcceptedSyntax.parameters(request.headers[.contentType] ?? "")
        guard contentType[""] == "multipart/related", (contentType["type"] ?? "application/dicom").lowercased() == "application/dicom" else {
            throw HTTPError(.unsupportedMediaType, message: "expected multipart/related; type=\"application/dicom\"")
        }
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared > maximumBodyBytes {
            throw tooLarge
        }
        var parser: MultipartParser
        do {
            parser = try MultipartParser(boundary: contentType["boundary"] ?? "")
        } catch {
            throw HTTPError(.badRequest, message: "multipart: \(error)")
        }
        var part: StowPart?
        var received: Int64 = 0
        var outcomes: [(position: Int, outcome: StowOutcome)] = []
        do {
            try await withThrowingTaskGroup(of: (Int, StowOutcome).self) { finishing in
                var started = 0
                for try await chunk in request.body {
                    received += Int64(chunk.readableBytes)
                    guard received <= maximumBodyBytes else { throw tooLarge }
                    for event in try parser.feed(chunk.readableBytesView) {
                        switch event {
                        case .partBegin(let headers):
                            if let declared = headers["content-length"].flatMap(Int64.init), declared > maximumBodyBytes {
                                throw tooLarge
                            }
                            part = StowPart(headers: headers, pipeline: pipeline, calledAE: calledAE, study: study)
                        case .partData(let bytes):
                            part?.append(bytes)
                        case .partEnd:
                            guard let completion = part?.completion() else { break }
                            part = nil
                            let position = started
                            started += 1
                            finishing.addTask { (position, try await completion.finish()) }
                            if started - outcomes.count >= Self.maximumPartsFinishing, let done = try await finishing.next() {
                                outcomes.append(done)
                            }
                        case .end:
                            break
                        }
                    }
                }
                try parser.finish()
                while let done = try await finishing.next() { outcomes.append(done) }
            }
        } catch let failure as MultipartParser.Failure {
            part?.abandon()
            throw HTTPError(.badRequest, message: "multipart: \(failure)")
        } catch let fenced as FencedError {
            part?.abandon()
            throw HTTPError(.serviceUnavailable, message: "\(fenced)")
        } catch {
            part?.abandon()
            throw error
        }
        guard !outcomes.isEmpty else { throw HTTPError(.badRequest, message: "the body holds no instance") }
        let inOrder = outcomes.sorted { $0.position < $1.position }.map(\.outcome)
        context.notes.study = study ?? inOrder.lazy.compactMap(\.studyUID).first
        return response(inOrder, base: BulkDataBase(request: request, context: context, scheme: scheme))
    }

    private var tooLarge: HTTPError {
        HTTPError(.contentTooLarge, message: "a STOW-RS body may hold at most \(maximumBodyBytes) bytes ([web] stow_max_bytes)")
    }

    private func response(_ outcomes: [StowOutcome], base: BulkDataBase) -> Response {
        let stored = outcomes.filter { $0.failureReason == nil }
        let failed = outcomes.filter { $0.failureReason != nil }
        var json = "{"
        var items: [String] = []
        if let first = stored.first, let studyUID = first.studyUID {
            items.append("\"00081190\":{\"vr\":\"UR\",\"Value\":[" + DicomJSONWriter.quoted(base.prefix + "/dicomweb/studies/" + studyUID) + "]}")
        }
        func reference(_ outcome: StowOutcome, extra: String) -> String {
            var fields = [
                "\"00081150\":{\"vr\":\"UI\",\"Value\":[" + DicomJSONWriter.quoted(outcome.sopClassUID) + "]}",
                "\"00081155\":{\"vr\":\"UI\",\"Value\":[" + DicomJSONWriter.quoted(outcome.sopInstanceUID) + "]}",
            ]
            if !extra.isEmpty { fields.append(extra) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        if !failed.isEmpty {
            let values = failed.map { outcome in
                reference(outcome, extra: "\"00081197\":{\"vr\":\"US\",\"Value\":[\(outcome.failureReason ?? 0xC000)]}")
            }
            items.append("\"00081198\":{\"vr\":\"SQ\",\"Value\":[" + values.joined(separator: ",") + "]}")
        }
        if !stored.isEmpty {
            let values = stored.map { outcome in
                reference(outcome, extra: outcome.studyUID.map {
                    "\"00081190\":{\"vr\":\"UR\",\"Value\":[" + DicomJSONWriter.quoted(
                        base.prefix + "/dicomweb/studies/\($0)/series/\(outcome.seriesUID ?? "")/instances/\(outcome.sopInstanceUID)") + "]}"
                } ?? "")
            }
            items.append("\"00081199\":{\"vr\":\"SQ\",\"Value\":[" + values.joined(separator: ",") + "]}")
        }
        json += items.joined(separator: ",") + "}"
        let status: HTTPResponse.Status = failed.isEmpty ? .ok : stored.isEmpty ? .conflict : .accepted
        return Response(status: status, headers: [.contentType: "application/dicom+json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}

/// What happened to one part.
struct StowOutcome: Sendable {
    var sopClassUID: String
    var sopInstanceUID: String
    var studyUID: String?
    var seriesUID: String?
    /// Failure Reason (0008,1197), nil when stored: PS3.18 Table 10.5.3-1 and PS3.4 Annex B codes.
    var failureReason: UInt16?
}
