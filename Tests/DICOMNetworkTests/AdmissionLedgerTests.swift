import Testing
@testable import DICOMNetwork

/// The acceptor's pure admission books: caps before association, slots after.
@Suite("Admission ledger")
struct AdmissionLedgerTests {
    /// Admits each address in turn; the refusals, nil for each admitted connection.
    static func admit(_ addresses: [String?], into ledger: inout AdmissionLedger) -> [ConnectionRefusal?] {
        addresses.map { ledger.admit(from: $0) }
    }

    @Test func perAddressCapLeavesRoomForOtherAddresses() {
        var ledger = AdmissionLedger(limits: ConnectionLimits(maximumUnassociatedConnections: 10, maximumUnassociatedPerAddress: 2))
        let first = Self.admit(["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2"], into: &ledger)
        #expect(first == [nil, nil, .tooManyFromAddress, nil])
        ledger.release(from: "10.0.0.1")
        let again = Self.admit(["10.0.0.1"], into: &ledger)
        #expect(again == [nil])
        #expect(ledger.unassociated == 3)
    }

    @Test func totalCapAppliesAcrossAddresses() {
        var ledger = AdmissionLedger(limits: ConnectionLimits(maximumUnassociatedConnections: 2, maximumUnassociatedPerAddress: 2))
        let first = Self.admit(["10.0.0.1", "10.0.0.2", "10.0.0.3"], into: &ledger)
        #expect(first == [nil, nil, .tooManyUnassociated])
        ledger.release(from: "10.0.0.2")
        let again = Self.admit(["10.0.0.3"], into: &ledger)
        #expect(again == [nil])
        #expect(ledger.unassociatedByAddress == ["10.0.0.1": 1, "10.0.0.3": 1])
    }

    @Test func onlyAllowedAddressesAreAdmitted() {
        var ledger = AdmissionLedger(limits: ConnectionLimits(allowedAddresses: ["10.0.0.1"]))
        let results = Self.admit(["10.0.0.9", nil, "10.0.0.1"], into: &ledger)
        #expect(results == [.addressNotAllowed, .addressNotAllowed, nil])
        #expect(ledger.unassociated == 1)
    }

    @Test func associationSlotsAreIndependentOfUnassociatedPlaces() {
        var ledger = AdmissionLedger(limits: ConnectionLimits(maximumAssociations: 1, maximumUnassociatedPerAddress: 1))
        #expect(Self.admit(["10.0.0.1"], into: &ledger) == [nil])
        let slots = [ledger.beginAssociation(), ledger.beginAssociation()]
        #expect(slots == [true, false])
        ledger.release(from: "10.0.0.1")  // the associated connection gives its place back
        #expect(Self.admit(["10.0.0.1"], into: &ledger) == [nil])
        ledger.endAssociation()
        let freed = ledger.beginAssociation()
        #expect(freed)
    }

    @Test func ticketGivesItsPlaceBackOnce() {
        let admission = ConnectionAdmission(limits: ConnectionLimits(maximumUnassociatedPerAddress: 1))
        guard case .success(let ticket) = admission.admit(from: "10.0.0.1") else {
            Issue.record("first connection refused")
            return
        }
        #expect(ticket.isUnassociated)
        ticket.release()
        ticket.release()
        #expect(!ticket.isUnassociated)
        #expect(admission.snapshot.unassociated == 0)
        #expect(admission.snapshot.unassociatedByAddress.isEmpty)
    }
}
