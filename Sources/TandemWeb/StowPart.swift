import DICOMCore
import TandemArchive

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

    /// The part's end was read: what remains (verify, flush, index) can run on another task.
    /// A refused part was abandoned already.
    func completion() -> StowPartCompletion {
        let completion = StowPartCompletion(pipeline: pipeline, header: header, reception: refusal == nil ? reception : nil)
        if completion.reception == nil { abandon() }
        reception = nil
        return completion
    }
}

/// The rest of one part's storing, detached from the body that carried it.
struct StowPartCompletion: Sendable {
    let pipeline: StorePipeline
    let header: Part10Header?
    let reception: InstanceReception?

    func finish() async throws(FencedError) -> StowOutcome {
        guard let header, let reception else {
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
