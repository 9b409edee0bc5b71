import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive

/// Retries the storage commitment reports kept in the index (`PendingCommitmentReport`) on new
/// associations to their requestors, with back-off, until each is delivered or too old. Runs in
/// `dcmrecv` for as long as it serves; a report kept before a restart or a failover is picked up
/// by the next `dcmrecv` on the shared index.
struct CommitmentReportRetrier: Sendable {
    let index: ArchiveIndex
    let delivery: CommitmentReportDelivery
    let peers: [PeerSettings]
    let schedule: CommitmentRetrySchedule
    let logger: Logger
    /// Longest sleep between looks at the table: a report kept meanwhile is seen this soon.
    var pollInterval: Duration = .seconds(2)

    /// Runs until cancelled; throws `FencedError` once this process has been fenced.
    func run() async throws {
        while !Task.isCancelled {
            do {
                for report in try await index.dueCommitmentReports() {
                    try Task.checkCancellation()
                    try await retry(report)
                }
                try await Task.sleep(for: try await sleepBeforeNextLook())
            } catch let error as FencedError {
                throw error
            } catch is CancellationError {
                return
            } catch {
                logger.error("storage commitment retry: cannot read the index", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    private func sleepBeforeNextLook() async throws -> Duration {
        guard let next = try await index.nextCommitmentReportAttempt() else { return pollInterval }
        let wait = max(next.timeIntervalSinceNow, 0.05)
        return min(.milliseconds(Int64(wait * 1000)), pollInterval)
    }

    private func retry(_ report: PendingCommitmentReport) async throws {
        try index.checkEpoch()  // a fenced node must not speak for the archive
        let metadata: Logger.Metadata = ["calling": "\(report.requestorAETitle)", "transaction": "\(report.transactionUID)"]
        do {
            guard let peer = peers.first(where: { $0.aeTitle == report.requestorAETitle }) else {
                throw CommitmentReportDelivery.Failure(description: "\(report.requestorAETitle) is no longer a [[peer]]")
            }
            var reader = try DataSetReader(bytes: report.eventInformation, transferSyntax: .explicitVRLittleEndian)
            let information = try reader.read()
            let response = try await delivery.deliver(eventTypeID: report.eventTypeID, eventInformation: information, to: peer)
            try await index.removeCommitmentReport(report.id)
            var status = "none"
            if case .nEventReportRSP(let answer) = response { status = "\(answer.status)H" }
            logger.info("storage commitment reported", metadata: metadata.merging([
                "association": "new", "attempts": "\(report.attempts + 1)", "status": "\(status)"]) { $1 })
        } catch let error as FencedError {
            throw error
        } catch where Task.isCancelled {
            return  // dcmrecv is stopping: the report stays due for the next start
        } catch {
            let now = Date()
            if let next = schedule.nextAttempt(afterFailed: report.attempts + 1, createdAt: report.createdAt, now: now) {
                try await index.deferCommitmentReport(report.id, error: "\(error)", nextAttemptAt: next)
                logger.warning("storage commitment report retry failed", metadata: metadata.merging([
                    "attempts": "\(report.attempts + 1)", "error": "\(error)",
                    "next_attempt_in": "\(Int(next.timeIntervalSince(now).rounded()))"]) { $1 })
            } else {
                try await index.removeCommitmentReport(report.id)
                logger.error("storage commitment report given up: too old", metadata: metadata.merging([
                    "attempts": "\(report.attempts + 1)", "error": "\(error)",
                    "age": "\(Int(now.timeIntervalSince(report.createdAt)))"]) { $1 })
            }
        }
    }
}
