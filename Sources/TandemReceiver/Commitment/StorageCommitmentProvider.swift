import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive

/// Storage Commitment Push Model SCP (PS3.4 Annex J): the N-ACTION is answered at once; the
/// N-EVENT-REPORT follows, listing as committed only instances durably indexed with their file
/// on disk. It goes on the requestor's association while that is open, else on a new association
/// to the requestor, which must be a `[[peer]]` (PS3.4 J.3.3).
public struct StorageCommitmentProvider: DIMSEServiceProvider {
    public static let sopClassUID = "1.2.840.10008.1.20.1"
    /// The well-known SOP Instance of the push model (PS3.4 J.3.5).
    public static let sopInstanceUID = "1.2.840.10008.1.20.1.1"
    /// Action Type ID 1: Request Storage Commitment (PS3.4 Table J.3-1).
    static let requestActionTypeID: UInt16 = 1

    let index: ArchiveIndex
    let aeTitle: String
    let peers: [PeerSettings]
    let logger: Logger

    public init(index: ArchiveIndex, aeTitle: String, peers: [PeerSettings], logger: Logger) {
        self.index = index
        self.aeTitle = aeTitle
        self.peers = peers
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
            await report(commitment, caller: caller, context: context)
        }
    }

    /// Decides and sends the report: on the same association, else on a new one.
    private func report(_ commitment: CommitmentRequest, caller: String, context: DIMSERequestContext) async {
        let report: CommitmentReport
        do {
            report = try await decide(commitment)
        } catch {
            logger.error("storage commitment: cannot read the index", metadata: ["error": "\(error)"])
            return
        }
        do {
            let information = try DataSetWriter.encode(report.eventInformation(retrieveAETitle: aeTitle),
                                                       transferSyntax: context.transferSyntax)
            let response = try await context.request(presentationContextID: context.presentationContext.id,
                                                     dataSet: .bytes(information)) { messageID in
                .nEventReportRQ(Self.eventReport(report, messageID: messageID))
            }
            log(report, to: caller, response: response, sameAssociation: true)
        } catch {
            await reportOnNewAssociation(report, to: caller)
        }
    }

    private func decide(_ commitment: CommitmentRequest) async throws -> CommitmentReport {
        let candidates = try await index.commitmentCandidates(commitment.references.map(\.sopInstanceUID))
        let root = index.root
        return CommitmentReport(commitment, indexed: candidates.mapValues(\.sopClassUID)) { uid in
            guard let file = candidates[uid]?.file else { return false }
            let path = root.url(relativePath: file.filePath).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
            return size == file.fileSize
        }
    }

    /// PS3.4 J.3.3: the SCP opens an association to the requestor, taking the SCP role of the
    /// Storage Commitment Push Model by role selection (PS3.7 D.3.3.4).
    private func reportOnNewAssociation(_ report: CommitmentReport, to caller: String) async {
        guard let peer = peers.first(where: { $0.aeTitle == caller }) else {
            logger.error("storage commitment report not delivered: the requestor's association ended and it is not a [[peer]]",
                         metadata: ["calling": "\(caller)", "transaction": "\(report.transactionUID)"])
            return
        }
        do {
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle(aeTitle)))
            let context = PresentationContextRQ(id: 1, abstractSyntax: Self.sopClassUID, transferSyntaxes: [
                TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid])
            let response = try await requestor.withAssociation(
                host: peer.host, port: peer.port, calledAETitle: try AETitle(peer.aeTitle), presentationContexts: [context],
                roleSelections: [RoleSelection(sopClassUID: Self.sopClassUID, scuRole: false, scpRole: true)]
            ) { association -> DIMSECommand in
                guard let accepted = association.acceptedContexts[context.id] else {
                    throw CommitmentRequestError(description: "\(peer.aeTitle) does not accept the Storage Commitment Push Model")
                }
                let information = try DataSetWriter.encode(report.eventInformation(retrieveAETitle: aeTitle),
                                                           transferSyntax: TransferSyntax(uid: accepted.transferSyntax))
                try await association.send(command: Self.eventReport(report, messageID: 1).encode(),
                                           presentationContextID: accepted.id, dataSet: .bytes(information))
                guard let answer = try await association.receive() else {
                    throw CommitmentRequestError(description: "\(peer.aeTitle) released before answering the N-EVENT-REPORT")
                }
                return answer.command
            }
            log(report, to: caller, response: response, sameAssociation: false)
        } catch {
            logger.error("storage commitment report not delivered", metadata: [
                "calling": "\(caller)", "transaction": "\(report.transactionUID)", "error": "\(error)"])
        }
    }

    private static func eventReport(_ report: CommitmentReport, messageID: UInt16) -> NEventReportRequest {
        NEventReportRequest(messageID: messageID, affectedSOPClassUID: sopClassUID, affectedSOPInstanceUID: sopInstanceUID,
                            eventTypeID: report.eventTypeID, hasEventInformation: true)
    }

    private func log(_ report: CommitmentReport, to caller: String, response: DIMSECommand, sameAssociation: Bool) {
        var status = "none"
        if case .nEventReportRSP(let answer) = response { status = "\(answer.status)H" }
        logger.info("storage commitment reported", metadata: [
            "calling": "\(caller)", "transaction": "\(report.transactionUID)", "committed": "\(report.committed.count)",
            "failed": "\(report.failed.count)", "association": "\(sameAssociation ? "same" : "new")", "status": "\(status)"])
    }
}
