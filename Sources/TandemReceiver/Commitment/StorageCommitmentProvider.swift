import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive

/// Storage Commitment Push Model SCP (PS3.4 Annex J): the N-ACTION is answered at once; the
/// N-EVENT-REPORT follows, listing as committed only instances durably indexed with their file
/// on disk. It goes on the requestor's association while that is open, else on a new association
/// to the requestor, which must be a `[[peer]]` (PS3.4 J.3.3). A report that this new association
/// cannot deliver is kept in the index and retried by `CommitmentReportRetrier`.
public struct StorageCommitmentProvider: DIMSEServiceProvider {
    public static let sopClassUID = "1.2.840.10008.1.20.1"
    /// The well-known SOP Instance of the push model (PS3.4 J.3.5).
    public static let sopInstanceUID = "1.2.840.10008.1.20.1.1"
    /// Action Type ID 1: Request Storage Commitment (PS3.4 Table J.3-1).
    static let requestActionTypeID: UInt16 = 1

    let index: ArchiveIndex
    let aeTitle: String
    let peers: [PeerSettings]
    let settings: CommitmentSettings
    let schedule: CommitmentRetrySchedule
    let logger: Logger

    public init(index: ArchiveIndex, aeTitle: String, peers: [PeerSettings], settings: CommitmentSettings = CommitmentSettings(),
                retry: RetrySettings = RetrySettings(), logger: Logger) {
        self.index = index
        self.aeTitle = aeTitle
        self.peers = peers
        self.settings = settings
        self.schedule = CommitmentRetrySchedule(retry: retry, maxAgeSeconds: settings.reportMaxAgeSeconds)
        self.logger = logger
    }

    public func action(_ request: NActionRequest, information: DataSet?, context: DIMSERequestContext) async throws
        -> NActionOutcome
    {
        guard request.requestedSOPInstanceUID == Self.sopInstanceUID else {
            return NActionOutcome(DIMSEResult(DIMSEStatus(rawValue: 0x0112), errorComment: "not the well-known SOP Instance"))
        }
        guard request.actionTypeID == Self.requestActionTypeID else {
            return NActionOutcome(DIMSEResult(DIMSEStatus(rawValue: 0x0123)))  // No such action type
        }
        let commitment: CommitmentRequest
        do {
            commitment = try CommitmentRequest(actionInformation: information)
        } catch {
            return NActionOutcome(DIMSEResult(DIMSEStatus(rawValue: 0x0120), errorComment: error.description))  // Missing attribute
        }
        let caller = context.association.request.callingAETitle.value
        logger.info("storage commitment requested", metadata: [
            "calling": "\(caller)", "transaction": "\(commitment.transactionUID)", "instances": "\(commitment.references.count)"])
        return NActionOutcome(.success) {
            // The report is owed whatever becomes of this association. When it ends in error (an
            // abort, a timer) the router cancels its tasks, and a cancelled task could neither open
            // the new association nor keep the report (GRDB's writes throw CancellationError). An
            // unstructured task is not cancelled with the task awaiting it.
            await Task { await report(commitment, caller: caller, context: context) }.value
        }
    }

    /// Decides and sends the report: on the same association, else on a new one. With a
    /// `report_delay`, it first waits for the requestor to release.
    private func report(_ commitment: CommitmentRequest, caller: String, context: DIMSERequestContext) async {
        var ended = false
        if settings.reportDelaySeconds > 0 {
            ended = await context.awaitAssociationEnd(atMost: .milliseconds(Int64(settings.reportDelaySeconds * 1000)))
        }
        let report: CommitmentReport
        do {
            report = try await decide(commitment)
        } catch {
            logger.error("storage commitment: cannot read the index", metadata: ["error": "\(error)"])
            return
        }
        if !ended {
            do {
                let information = try DataSetWriter.encode(report.eventInformation(retrieveAETitle: aeTitle),
                                                           transferSyntax: context.transferSyntax)
                let response = try await context.request(presentationContextID: context.presentationContext.id,
                                                         dataSet: .bytes(information)) { messageID in
                    .nEventReportRQ(Self.eventReport(eventTypeID: report.eventTypeID, messageID: messageID))
                }
                log(report, to: caller, response: response, sameAssociation: true)
                return
            } catch {
                // The association ended meanwhile (or the requestor released it, so no answer can
                // come): a new one follows.
                logger.info("storage commitment report not answered on the requestor's association",
                             metadata: ["transaction": "\(report.transactionUID)", "error": "\(error)"])
            }
        }
        await reportOnNewAssociation(report, to: caller)
    }

    private func decide(_ commitment: CommitmentRequest) async throws -> CommitmentReport {
        let candidates = try await index.commitmentCandidates(commitment.references.map(\.sopInstanceUID))
        let root = index.root
        return CommitmentReport(commitment, indexed: candidates.mapValues(\.sopClassUID)) { uid in
            guard let file = candidates[uid]?.file else { return false }
            let path = root.url(relativePath: file.filePath).path
            return FileByteSource.size(ofFileAt: path) == file.fileSize
        }
    }

    /// PS3.4 J.3.3: on a new association to the requestor; kept for retry when that fails.
    private func reportOnNewAssociation(_ report: CommitmentReport, to caller: String) async {
        let metadata: Logger.Metadata = ["calling": "\(caller)", "transaction": "\(report.transactionUID)"]
        guard let peer = peers.first(where: { $0.aeTitle == caller }) else {
            logger.error("storage commitment report not delivered: the requestor's association ended and it is not a [[peer]]",
                         metadata: metadata)
            return
        }
        let information: DataSet
        do {
            information = try report.eventInformation(retrieveAETitle: aeTitle)
        } catch {
            logger.error("storage commitment report cannot be encoded", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return
        }
        do {
            let response = try await CommitmentReportDelivery(aeTitle: aeTitle)
                .deliver(eventTypeID: report.eventTypeID, eventInformation: information, to: peer)
            log(report, to: caller, response: response, sameAssociation: false)
        } catch {
            await keep(report, information: information, to: caller, failure: error)
        }
    }

    /// Durably keeps an undelivered report for `CommitmentReportRetrier` (a fenced write: a stale
    /// node keeps nothing).
    private func keep(_ report: CommitmentReport, information: DataSet, to caller: String, failure: any Error) async {
        var metadata: Logger.Metadata = ["calling": "\(caller)", "transaction": "\(report.transactionUID)", "error": "\(failure)"]
        let now = Date()
        guard let next = schedule.nextAttempt(afterFailed: 1, createdAt: now, now: now) else {
            logger.error("storage commitment report not delivered", metadata: metadata)
            return
        }
        do {
            let encoded = try DataSetWriter.encode(information, transferSyntax: .explicitVRLittleEndian)
            try await index.keepCommitmentReport(transactionUID: report.transactionUID, requestorAETitle: caller,
                                                 eventTypeID: report.eventTypeID, eventInformation: encoded,
                                                 error: "\(failure)", createdAt: now, nextAttemptAt: next)
            metadata["next_attempt_in"] = "\(Int(next.timeIntervalSince(now).rounded()))"
            logger.warning("storage commitment report kept for retry", metadata: metadata)
        } catch {
            metadata["keep_error"] = "\(error)"
            logger.error("storage commitment report not delivered and not kept", metadata: metadata)
        }
    }

    static func eventReport(eventTypeID: UInt16, messageID: UInt16) -> NEventReportRequest {
        NEventReportRequest(messageID: messageID, affectedSOPClassUID: sopClassUID, affectedSOPInstanceUID: sopInstanceUID,
                            eventTypeID: eventTypeID, hasEventInformation: true)
    }

    private func log(_ report: CommitmentReport, to caller: String, response: DIMSECommand, sameAssociation: Bool) {
        var status = "none"
        if case .nEventReportRSP(let answer) = response { status = "\(answer.status)H" }
        logger.info("storage commitment reported", metadata: [
            "calling": "\(caller)", "transaction": "\(report.transactionUID)", "committed": "\(report.committed.count)",
            "failed": "\(report.failed.count)", "association": "\(sameAssociation ? "same" : "new")", "status": "\(status)"])
    }
}
