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
    private func store(_ request: Request, _ context: WebContext, study: String?) async throws -> Response {
        try context.authorize(.store)
        let contentType = AcceptedSyntax.parameters(request.headers[.contentType] ?? "")
        guard contentType[""] == "multipart/related", (contentType["type"] ?? "application/dicom").lowercased() == "application/dicom" else {
            throw HTTPError(.unsupportedMediaType, message: "expected multipart/related; type=\"application/dicom\"")
        }
        var parser: MultipartParser
        do {
            parser = try MultipartParser(boundary: contentType["boundary"] ?? "")
        } catch {
            throw HTTPError(.badRequest, message: "multipart: \(error)")
        }
        var outcomes: [StowOutcome] = []
        var part: StowPart?
        do {
            for try await chunk in request.body {
                for event in try parser.feed(chunk.readableBytesView) {
                    switch event {
                    case .partBegin(let headers):
                        part = StowPart(headers: headers, pipeline: pipeline, calledAE: calledAE, study: study)
                    case .partData(let bytes):
                        part?.append(bytes)
                    case .partEnd:
                        if let finished = part { outcomes.append(try await finished.finish()) }
                        part = nil
                    case .end:
                        break
                    }
                }
            }
            try parser.finish()
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
        context.notes.study = study ?? outcomes.lazy.compactMap(\.studyUID).first
        return response(outcomes, base: BulkDataBase(request: request, context: context, scheme: scheme))
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

/// One part being stored: its head is buffered until the File Meta Information is complete, then
/// the data set streams into an ingest reception.
final class StowPart {
    private let pipeline: StorePipeline
    private let calledAE: String
    private let study: String?
    private var head: [UInt8] = []
    private var header: Part10Header?
    private var reception: InstanceReception?
    private var refusal: String?

    init(headers: [String: String], pipeline: StorePipeline, calledAE: String, study: String?) {
        self.pipeline = pipeline
        self.calledAE = calledAE
        self.study = study
        if let type = headers["content-type"], AcceptedSyntax.parameters(type)[""] != "application/dicom" {
            refusal = "part is \(type.prefix(64)), not application/dicom"
        }
    }

    func append(_ bytes: [UInt8]) {
        guard refusal == nil else { return }
        if let reception {
            reception.append(bytes)
            return
        }
        head += bytes
        switch Part10Header.parse(head) {
        case .needMore:
            return
        case .invalid(let reason):
            refusal = reason
            head = []
        case .header(let parsed):
            header = parsed
            let started = pipeline.begin(StoreRequest(
                sopClassUID: parsed.sopClassUID, sopInstanceUID: parsed.sopInstanceUID,
                transferSyntax: TransferSyntax(uid: parsed.transferSyntaxUID),
                callingAE: StowRoutes.callingAE, calledAE: calledAE, studyInstanceUID: study))
            reception = started
            started.append(Array(head[parsed.dataSetOffset...]))
            head = []
        }
    }

    func abandon() {
        reception?.abandon()
        reception = nil
    }

    func finish() async throws(FencedError) -> StowOutcome {
        guard let header, let reception, refusal == nil else {
            abandon()
            return StowOutcome(sopClassUID: header?.sopClassUID ?? "", sopInstanceUID: header?.sopInstanceUID ?? "",
                               failureReason: 0xC000)
        }
        let result = try await reception.finish()
        var outcome = StowOutcome(sopClassUID: header.sopClassUID, sopInstanceUID: header.sopInstanceUID)
        switch result.outcome {
        case .stored:
            if let indexed = try? pipeline.index.instance(sopInstanceUID: header.sopInstanceUID) {
                outcome.studyUID = indexed.record.study.studyInstanceUID
                outcome.seriesUID = indexed.record.series.seriesInstanceUID
            }
        case .outOfResources: outcome.failureReason = 0xA700
        case .doesNotMatchAnnouncement: outcome.failureReason = 0xA900
        case .unreadable, .invalidSOPInstanceUID: outcome.failureReason = 0xC000
        case .duplicateRejected: outcome.failureReason = 0x0111
        }
        return outcome
    }
}
