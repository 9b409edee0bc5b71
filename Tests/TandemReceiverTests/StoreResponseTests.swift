import DICOMNetwork
import TandemArchive
import Testing
@testable import TandemReceiver

@Suite("C-STORE response for an ingest result")
struct StoreResponseTests {
    @Test("each ingest outcome answers its PS3.4 Table B.2-1 / PS3.7 Annex C status",
          arguments: [(IngestOutcome.stored, UInt16(0x0000)), (.outOfResources, 0xA700), (.doesNotMatchAnnouncement, 0xA900),
                      (.unreadable, 0xC000), (.invalidSOPInstanceUID, 0x0117), (.duplicateRejected, 0x0111)])
    func status(outcome: IngestOutcome, expected: UInt16) {
        #expect(DIMSEResult(StoreResult(outcome, reason: "why")).status.rawValue == expected)
    }

    @Test("a failure's reason becomes an Error Comment of at most 64 default-repertoire characters; success has none")
    func errorComment() {
        let long = "Müller\\" + String(repeating: "x", count: 100)
        let refused = DIMSEResult(StoreResult(.unreadable, reason: long))
        #expect(refused.errorComment == "M?ller?" + String(repeating: "x", count: 57))
        #expect(DIMSEResult(StoreResult(.stored, reason: "kept the first copy")).errorComment == nil)
    }
}
