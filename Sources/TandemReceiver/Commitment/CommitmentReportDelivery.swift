import DICOMCore
import DICOMNetwork
import Foundation
import TandemArchive

/// Sends a storage commitment report on a new association to the requestor, a `[[peer]]`: the
/// SCP opens it and takes the SCP role of the Storage Commitment Push Model by role selection
/// (PS3.4 J.3.3, PS3.7 D.3.3.4).
struct CommitmentReportDelivery: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Our AE title, the calling AE of the new association.
    let aeTitle: String

    /// Delivers the report and returns the requestor's N-EVENT-REPORT-RSP.
    func deliver(eventTypeID: UInt16, eventInformation: DataSet, to peer: PeerSettings) async throws -> DIMSECommand {
        let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle(aeTitle)))
        let context = PresentationContextRQ(id: 1, abstractSyntax: StorageCommitmentProvider.sopClassUID, transferSyntaxes: [
            TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid])
        return try await requestor.withAssociation(
            host: peer.host, port: peer.port, calledAETitle: try AETitle(peer.aeTitle), presentationContexts: [context],
            roleSelections: [RoleSelection(sopClassUID: StorageCommitmentProvider.sopClassUID, scuRole: false, scpRole: true)]
        ) { association -> DIMSECommand in
            guard let accepted = association.acceptedContexts[context.id] else {
                throw Failure(description: "\(peer.aeTitle) does not accept the Storage Commitment Push Model")
            }
            let information = try DataSetWriter.encode(eventInformation, transferSyntax: TransferSyntax(uid: accepted.transferSyntax))
            let command = StorageCommitmentProvider.eventReport(eventTypeID: eventTypeID, messageID: 1)
            try await association.send(command: command.encode(), presentationContextID: accepted.id, dataSet: .bytes(information))
            guard let answer = try await association.receive() else {
                throw Failure(description: "\(peer.aeTitle) released before answering the N-EVENT-REPORT")
            }
            return answer.command
        }
    }
}

/// When an undelivered report is tried again: `[retry]`'s back-off, never past the report's
/// maximum age (`[commitment] report_max_age`), at which the last attempt is made.
struct CommitmentRetrySchedule: Sendable, Equatable {
    let retry: RetrySettings
    let maxAgeSeconds: Double

    /// The next attempt after `attempts` failed ones; nil when the report is to be given up.
    func nextAttempt(afterFailed attempts: Int, createdAt: Date, now: Date) -> Date? {
        let deadline = createdAt.addingTimeInterval(maxAgeSeconds)
        guard now < deadline else { return nil }
        return min(now.addingTimeInterval(retry.delay(beforeRetry: attempts)), deadline)
    }
}
