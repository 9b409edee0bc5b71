import DICOMCore
import DICOMNetwork
import Foundation

/// The result of one file.
public struct FileResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case sent
        /// A warning status (PS3.4 §B.2.3: B000 coercion, B006 elements discarded, B007 data set
        /// does not match SOP class): stored, but the sender should know.
        case sentWithWarning(status: UInt16, comment: String?)
        case failed(reason: String)
        case skipped(reason: String)
    }

    public let path: String
    public let sopInstanceUID: String?
    /// The syntax the data set went out in, when it went out.
    public let transferSyntax: TransferSyntax?
    /// Bytes of data set put on the wire.
    public let bytes: Int
    public let outcome: Outcome
    /// Set when the outcome is `.failed`: what failed, for callers that decide whether to retry.
    public let failureCause: FailureCause?

    public init(path: String, sopInstanceUID: String?, transferSyntax: TransferSyntax?, bytes: Int, outcome: Outcome,
                failureCause: FailureCause? = nil) {
        self.path = path
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntax = transferSyntax
        self.bytes = bytes
        self.outcome = outcome
        self.failureCause = failureCause
    }

    static func failed(_ file: InstanceSummary, _ reason: String, cause: FailureCause) -> FileResult {
        FileResult(path: file.path, sopInstanceUID: file.sopInstanceUID, transferSyntax: nil, bytes: 0,
                   outcome: .failed(reason: reason), failureCause: cause)
    }
}

/// What made one file fail.
public enum FailureCause: Sendable, Equatable {
    /// The peer answered the C-STORE with this failure status (PS3.4 Table B.2-1).
    case status(UInt16)
    /// No presentation context the peer accepted can carry the file (SOP class or syntax refused).
    case notNegotiated
    /// The file could not be read or converted.
    case unreadable
    /// The association ended, or the send was stopped, before the file's response.
    case association
}

/// Where a `StoreSender` reports each file's result; called from several associations at once.
public protocol FileResultSink: Sendable {
    func report(_ result: FileResult)
}

/// Why a file, or a whole association, could not be sent.
public enum SendFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or converted.
    case unreadable(String)
    /// The peer rejected the association (PS3.8 §7.1.1.7).
    case rejected(String)
    /// Nobody answered, or a timeout expired: worth retrying later.
    case unreachable(String)
    /// The association was aborted or the peer broke the protocol.
    case aborted(String)

    public var description: String {
        switch self {
        case .unreadable(let text), .rejected(let text), .unreachable(let text), .aborted(let text): return text
        }
    }

    /// Classifies an error from connecting or from an association (PS3.8 §7.1–§7.3).
    static func classify(_ error: any Error, host: String, port: Int) -> SendFailure {
        if let failure = error as? SendFailure { return failure }
        if let decoding = error as? DIMSEDecodingError { return .aborted("protocol error: \(decoding.reason)") }
        if let association = error as? AssociationError {
            switch association {
            case .rejected(let rejection): return .rejected("association rejected: \(describe(rejection))")
            case .timedOut(let timer): return .unreachable("timed out waiting for \(host):\(port) (\(timer) timer)")
            case .abortedByPeer(let abort): return .aborted("aborted by the peer (A-ABORT source \(abort.source), "
                                                           + "reason \(abort.reason.rawValue))")
            case .protocolViolation(_, let detail): return .aborted("protocol error, association aborted: \(detail)")
            case .connectionClosed: return .aborted("the peer closed the connection without release")
            case .releasedByPeer: return .aborted("the peer released before answering")
            case .abortedLocally: return .aborted("association aborted by this side")
            case .notAllowed(let detail): return .aborted("association ended: \(detail)")
            case .presentationContextNotAccepted(let id): return .aborted("presentation context \(id) not accepted")
            }
        }
        // Anything else comes from the transport: refused, unreachable, connect timeout.
        return .unreachable("cannot reach \(host):\(port): \(error)")
    }

    /// PS3.8 Table 9-21 in words.
    static func describe(_ rejection: AAssociateRJ) -> String {
        let permanence = rejection.result == .rejectedPermanent ? "permanent" : "transient"
        let reason: String
        switch (rejection.source, rejection.reason) {
        case (.serviceUser, AAssociateRJ.UserReason.applicationContextNameNotSupported.rawValue):
            reason = "application context name not supported"
        case (.serviceUser, AAssociateRJ.UserReason.callingAETitleNotRecognized.rawValue):
            reason = "calling AE title not recognized"
        case (.serviceUser, AAssociateRJ.UserReason.calledAETitleNotRecognized.rawValue):
            reason = "called AE title not recognized"
        case (.serviceProviderACSE, AAssociateRJ.ACSEReason.protocolVersionNotSupported.rawValue):
            reason = "protocol version not supported"
        case (.serviceProviderPresentation, AAssociateRJ.PresentationReason.temporaryCongestion.rawValue):
            reason = "temporary congestion"
        case (.serviceProviderPresentation, AAssociateRJ.PresentationReason.localLimitExceeded.rawValue):
            reason = "local limit exceeded"
        default:
            reason = "no reason given"
        }
        return "\(reason) (\(permanence), source \(rejection.source.rawValue), reason \(rejection.reason))"
    }
}

/// Counts for the closing summary.
public struct SendSummary: Sendable, Equatable {
    public var sent = 0
    public var warnings = 0
    public var failed = 0
    public var skipped = 0
    public var bytes = 0
    public var seconds = 0.0

    public init() {}

    public mutating func add(_ result: FileResult) {
        bytes += result.bytes
        switch result.outcome {
        case .sent: sent += 1
        case .sentWithWarning: sent += 1; warnings += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        }
    }

    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0 }

    public var text: String {
        String(format: "%d sent (%d with warnings), %d failed, %d skipped, %d bytes in %.2f s, %.1f MB/s",
               sent, warnings, failed, skipped, bytes, seconds, megabytesPerSecond)
    }
}
