import DICOMNetwork
import Testing
@testable import TandemSend

@Suite struct SendFailureTests {
    @Test func rejectionsAreNamedInWords() {
        let failure = SendFailure.classify(AssociationError.rejected(.user(.rejectedPermanent, .calledAETitleNotRecognized)),
                                           host: "pacs", port: 104)
        #expect(failure == .rejected("association rejected: called AE title not recognized (permanent, source 1, reason 7)"))
        let busy = SendFailure.classify(AssociationError.rejected(.presentation(.rejectedTransient, .localLimitExceeded)),
                                        host: "pacs", port: 104)
        #expect(busy.description.contains("local limit exceeded (transient"))
    }

    @Test func peerTroubleFallsIntoRetryOrAbort() {
        #expect(SendFailure.classify(AssociationError.timedOut(.idle), host: "pacs", port: 104)
                == .unreachable("timed out waiting for pacs:104 (idle timer)"))
        guard case .aborted = SendFailure.classify(AssociationError.abortedByPeer(AAbort(source: .serviceUser)),
                                                   host: "pacs", port: 104) else { Issue.record("abort"); return }
        guard case .aborted = SendFailure.classify(DIMSEDecodingError("no status"), host: "pacs", port: 104) else {
            Issue.record("undecodable response"); return
        }
        struct Refused: Error {}
        guard case .unreachable = SendFailure.classify(Refused(), host: "pacs", port: 104) else { Issue.record("transport"); return }
    }

    @Test func failureStatusesAreExplained() {
        #expect(DIMSEStatus(rawValue: 0xA701).storeFailureMeaning == "refused: out of resources")
        #expect(DIMSEStatus(rawValue: 0xC123).storeFailureMeaning == "error: cannot understand")
        #expect(DIMSEStatus(rawValue: 0x0122).storeFailureMeaning == "refused: SOP class not supported")
    }
}
