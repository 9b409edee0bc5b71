import TandemArchive
import TandemSend

/// What one file's result means for its delivery record.
enum DeliveryVerdict: Equatable {
    /// The peer has it (success or warning status).
    case delivered
    /// Worth another attempt: the peer was short of resources, or the association ended first.
    case retryLater(String)
    /// The peer will never take it as it is: record the failure on the instance.
    case refused(String)

    init(_ result: FileResult) {
        switch result.outcome {
        case .sent, .sentWithWarning:
            self = .delivered
        case .failed(let reason), .skipped(let reason):
            switch result.failureCause {
            case .status(let status): self = Self.verdict(forFailureStatus: status, reason)
            case .association, nil: self = .retryLater(reason)
            case .notNegotiated, .unreadable: self = .refused(reason)
            }
        }
    }

    /// PS3.4 Table B.2-1 and PS3.7 Annex C: A7xx "out of resources" and 0110 "processing failure"
    /// are the peer's passing trouble; 0111 "duplicate SOP instance" means it already holds the
    /// instance; the rest (A9xx, Cxxx, 0122 SOP class not supported, 0124 not authorized, …)
    /// will fail the same way every time.
    static func verdict(forFailureStatus status: UInt16, _ reason: String) -> DeliveryVerdict {
        switch status {
        case 0xA700...0xA7FF, 0x0110: return .retryLater(reason)
        case 0x0111: return .delivered
        default: return .refused(reason)
        }
    }

    func itemResult(for sopInstanceUID: String, status: UInt16?) -> ItemResult {
        switch self {
        case .delivered: ItemResult(sopInstanceUID: sopInstanceUID, state: .delivered, status: status ?? 0)
        case .retryLater(let reason): ItemResult(sopInstanceUID: sopInstanceUID, state: .queued, status: status, detail: reason)
        case .refused(let reason): ItemResult(sopInstanceUID: sopInstanceUID, state: .failed, status: status, detail: reason)
        }
    }
}
