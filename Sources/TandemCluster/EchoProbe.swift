import DICOMNetwork
import Foundation

/// Asks a DICOM listener for a C-ECHO (Verification, PS3.4 Annex A) on a fresh association:
/// how `clusterctl` tells that `dcmrecv` really serves, not merely that something holds its port
/// (a stopped or wedged process still completes TCP handshakes from the kernel's backlog).
public struct EchoProbe: Sendable {
    public let host: String
    public let port: Int
    public let calledAETitle: String
    public let callingAETitle: String
    /// Bound on each phase: TCP connect, association negotiation, and the C-ECHO response.
    public let timeout: TimeInterval

    public init(host: String, port: Int, calledAETitle: String, callingAETitle: String, timeout: TimeInterval = 5) {
        self.host = host
        self.port = port
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.timeout = timeout
    }

    public struct Outcome: Sendable, Equatable {
        /// The listener answered at the DICOM upper layer: a C-ECHO success (or warning), or
        /// an A-ASSOCIATE-RJ (see `detail`).
        public let answered: Bool
        /// What happened, for `clusterctl monitor` and `status`.
        public let detail: String
    }

    /// Runs the echo on a fresh association and says what answered; never throws: a probe's
    /// failure is its finding.
    public func run() async -> Outcome {
        let called: AETitle, calling: AETitle
        do {
            called = try AETitle(calledAETitle)
            calling = try AETitle(callingAETitle)
        } catch {
            return Outcome(answered: false, detail: "invalid AE title: \(error)")
        }
        var configuration = AssociationConfiguration(aeTitle: calling)
        let milliseconds = Int64(max(timeout, 0.1) * 1000)
        configuration.connectTimeout = .milliseconds(milliseconds)
        configuration.associationTimeout = .milliseconds(milliseconds)
        configuration.idleTimeout = .milliseconds(milliseconds)
        configuration.artimTimeout = .milliseconds(milliseconds)
        let requestor = AssociationRequestor(configuration: configuration)
        let target = "\(host):\(port)"
        do {
            let status = try await requestor.withAssociation(
                host: host, port: port, calledAETitle: called, presentationContexts: [.verification()]
            ) { association in try await association.echo() }
            switch status.category {
            case .success, .warning:
                return Outcome(answered: true, detail: "C-ECHO \(status)H from \(calledAETitle)@\(target)")
            case .failure, .cancel, .pending:
                return Outcome(answered: false, detail: "C-ECHO answered \(status)H by \(target)")
            }
        } catch AssociationError.rejected(let rejection) {
            // The listener parsed our A-ASSOCIATE-RQ and ran its association policy: it serves.
            // This is what `[security] require_known_callers` does to a probe whose calling AE
            // title is not a [[peer]] (docs/ha.md).
            return Outcome(answered: true, detail: "association rejected by \(target) (\(rejection)); the listener answers")
        } catch {
            return Outcome(answered: false, detail: "no C-ECHO from \(target): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? AssociationError {
        case .timedOut(.association)?: return "no A-ASSOCIATE answer in time"
        case .timedOut(.idle)?: return "no C-ECHO response in time"
        case .abortedByPeer?: return "association aborted by the listener"
        case .connectionClosed?: return "connection closed by the listener"
        default: return "\(error)"
        }
    }
}
