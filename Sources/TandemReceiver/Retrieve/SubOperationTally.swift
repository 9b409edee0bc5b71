import DICOMNetwork

/// The C-STORE sub-operations of one C-MOVE or C-GET, counted as their responses arrive, and
/// the responses they make (PS3.4 C.4.2.1.6, C.4.2.3.1 and C.4.3.3.1).
public struct SubOperationTally: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case completed
        /// A warning status from the Storage SCP (PS3.4 Table B.2-1), e.g. coercion.
        case warning
        case failed
    }

    public let total: Int
    public private(set) var completed = 0
    public private(set) var warning = 0
    public private(set) var failed = 0
    /// The Failed SOP Instance UID List (0008,0058) of the final response.
    public private(set) var failedSOPInstanceUIDs: [String] = []

    public init(total: Int) {
        self.total = total
    }

    /// Sub-operations not yet performed.
    public var remaining: Int { max(total - completed - warning - failed, 0) }

    public mutating func record(_ outcome: Outcome, sopInstanceUID: String) {
        switch outcome {
        case .completed: completed += 1
        case .warning: warning += 1
        case .failed:
            failed += 1
            failedSOPInstanceUIDs.append(sopInstanceUID)
        }
    }

    /// The counts of a pending response: all four.
    public var pendingCounts: SubOperationCounts {
        SubOperationCounts(remaining: Self.count(remaining), completed: Self.count(completed),
                           failed: Self.count(failed), warning: Self.count(warning))
    }

    /// The final response. Cancelled with sub-operations left: Cancel (FE00H) with the remaining
    /// count. Otherwise Success when every sub-operation completed, Failure A702H when none did
    /// (`failureComment` says why), else Warning B000H; these carry no remaining count.
    public func finalResult(cancelled: Bool, failureComment: String? = nil) -> RetrieveResult {
        var counts = SubOperationCounts(completed: Self.count(completed), failed: Self.count(failed),
                                        warning: Self.count(warning))
        let result: DIMSEResult
        if cancelled && remaining > 0 {
            counts.remaining = Self.count(remaining)
            result = DIMSEResult(.cancel)
        } else if failed == 0 && warning == 0 {
            result = .success
        } else if completed == 0 && warning == 0 {
            result = DIMSEResult(.unableToPerformSubOperations, errorComment: failureComment.map(Self.errorComment))
        } else {
            result = DIMSEResult(.subOperationsCompleteWithFailures,
                                 errorComment: failed > 0 ? failureComment.map(Self.errorComment) : nil)
        }
        return RetrieveResult(result, subOperations: counts, failedSOPInstanceUIDs: failedSOPInstanceUIDs)
    }

    /// Counts are US: a retrieve of more than 65,535 instances reports the largest.
    private static func count(_ value: Int) -> UInt16 { UInt16(clamping: value) }

    private static func errorComment(_ text: String) -> String { DIMSEResult.errorComment(text) }
}
