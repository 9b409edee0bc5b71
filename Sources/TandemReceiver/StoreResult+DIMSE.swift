import DICOMNetwork
import TandemArchive

extension DIMSEStatus {
    /// The C-STORE status for an ingest outcome (PS3.4 §B.2.3, Table B.2-1; general statuses
    /// PS3.7 Annex C): the one place the archive's outcomes meet DIMSE.
    init(_ outcome: IngestOutcome) {
        self = switch outcome {
        case .stored: .success
        // Refused: Out of Resources (A7xx): the sender should retry later.
        case .outOfResources: .outOfResources
        // Error: Data Set does not match SOP Class (A9xx).
        case .doesNotMatchAnnouncement: .dataSetDoesNotMatchSOPClass
        // Error: Cannot understand (Cxxx).
        case .unreadable: .cannotUnderstand
        // Invalid SOP Instance (PS3.7 Annex C).
        case .invalidSOPInstanceUID: .invalidSOPInstance
        // Duplicate SOP Instance: not A7xx, since resending cannot succeed.
        case .duplicateRejected: .duplicateSOPInstance
        }
    }
}

extension DIMSEResult {
    /// The C-STORE-RSP for an ingest result: its status, and the reason as Error Comment
    /// (0000,0902) for a failure.
    init(_ result: StoreResult) {
        self.init(DIMSEStatus(result.outcome), errorComment: result.isStored ? nil : result.reason.map(Self.errorComment))
    }

    /// At most 64 characters (LO) of the default repertoire, as an Error Comment in a command set
    /// (which has no Specific Character Set) must be: other characters become "?".
    static func errorComment(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map {
            $0.isASCII && $0.value >= 0x20 && $0 != "\\" ? $0 : "?"
        }))
    }
}
