import Testing
@testable import DICOMNetwork

@Suite("PDU codec (PS3.8 §9.3)")
struct PDUCodecTests {
    typealias F = PDUFixtures

    @Test func decodesDCMTKAssociateRequestAndEncodesItBack() throws {
        let pdu = try PDU.decode(bytes: F.dcmtkAssociateRQ.joined)
        guard case .associateRQ(let rq) = pdu else { Issue.record("not an A-ASSOCIATE-RQ: \(pdu)"); return }
        #expect(rq.protocolVersion == 1)
        #expect(rq.calledAETitle.value == "ANY-SCP")
        #expect(rq.callingAETitle.value == "ECHOSCU")
        #expect(rq.applicationContextName == "1.2.840.10008.3.1.1.1")
        #expect(rq.presentationContexts == [
            PresentationContextRQ(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"])
        ])
        #expect(rq.userInformation.maximumLength == 16384)
        #expect(rq.userInformation.implementationClassUID == "1.2.276.0.7230010.3.0.3.6.7")
        #expect(rq.userInformation.implementationVersionName == "OFFIS_DCMTK_367")
        // DCMTK's FF in a reserved byte is not reproduced; everything else is byte for byte.
        var expected = F.dcmtkAssociateRQ.joined
        expected[0x69] = 0
        #expect(try pdu.encode() == expected)
    }

    @Test func decodesDCMTKAssociateAcceptAndEncodesItBack() throws {
        let bytes = F.dcmtkAssociateAC.joined
        let pdu = try PDU.decode(bytes: bytes)
        guard case .associateAC(let ac) = pdu else { Issue.record("not an A-ASSOCIATE-AC: \(pdu)"); return }
        #expect(ac.presentationContexts == [PresentationContextAC(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2")])
        #expect(ac.userInformation.maximumLength == 16384)
        #expect(try pdu.encode() == bytes)
    }

    @Test func decodesCommandPDV() throws {
        let pdu = try PDU.decode(bytes: F.dcmtkEchoRequest.joined)
        guard case .dataTF(let data) = pdu else { Issue.record("not a P-DATA-TF: \(pdu)"); return }
        #expect(data.values.count == 1)
        #expect(data.values[0].presentationContextID == 1)
        #expect(data.values[0].isCommand)
        #expect(data.values[0].isLastFragment)
        #expect(data.values[0].data.count == 68)
        #expect(try pdu.encode() == F.dcmtkEchoRequest.joined)
    }

    @Test func encodesSeveralPDVsWithTheirControlHeaders() throws {
        let pdu = PDU.dataTF(PDataTF(values: [
            PresentationDataValue(presentationContextID: 3, isCommand: false, isLastFragment: false, data: [0xAA]),
            PresentationDataValue(presentationContextID: 3, isCommand: false, isLastFragment: true, data: []),
        ]))
        let expected = F.hex("""
            04 00 0000000D
            00000003 03 00 AA
            00000002 03 02
            """)  // P-DATA-TF length 13: PDV (len 3, ctx 3, data, not last, AA), PDV (len 2, ctx 3, data, last)
        #expect(try pdu.encode() == expected)
        #expect(try PDU.decode(bytes: expected) == pdu)
    }

    @Test func releaseAndRejectAndAbort() throws {
        #expect(try PDU.decode(bytes: F.releaseRQ) == .releaseRQ)
        #expect(try PDU.decode(bytes: F.releaseRP) == .releaseRP)
        #expect(try PDU.releaseRQ.encode() == F.releaseRQ)
        #expect(try PDU.releaseRP.encode() == F.releaseRP)
        let rj = PDU.associateRJ(.user(.rejectedPermanent, .calledAETitleNotRecognized))
        #expect(try PDU.decode(bytes: F.associateRJ) == rj)
        #expect(try rj.encode() == F.associateRJ)
        let abort = PDU.abort(AAbort(source: .serviceProvider, reason: .invalidPDUParameterValue))
        #expect(try PDU.decode(bytes: F.abort) == abort)
        #expect(try abort.encode() == F.abort)
        // A user abort's reason is not significant and not tested on receipt (PS3.8 §9.3.8).
        #expect(try PDU.decode(bytes: F.hex("07 00 00000004 0000 00 05")) == .abort(AAbort(source: .serviceUser)))
    }

    @Test func decodesNegotiationAnswers() throws {
        let bytes = F.negotiatedAssociateAC.joined
        let pdu = try PDU.decode(bytes: bytes)
        guard case .associateAC(let ac) = pdu else { Issue.record("not an A-ASSOCIATE-AC: \(pdu)"); return }
        #expect(ac.calledAETitle.value == "TANDEM")
        #expect(ac.presentationContexts == [PresentationContextAC(id: 3, result: .abstractSyntaxNotSupported, transferSyntax: "")])
        let info = ac.userInformation
        #expect(info.maximumLength == 131072)
        #expect(info.implementationClassUID.isEmpty)
        #expect(info.asynchronousOperationsWindow == AsynchronousOperationsWindow(maximumOperationsInvoked: 1, maximumOperationsPerformed: 1))
        #expect(info.roleSelections == [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: true, scpRole: false)])
        #expect(info.userIdentityResponse == UserIdentityResponse(serverResponse: []))
        #expect(try pdu.encode() == bytes)
    }

    @Test func roundTripsEveryUserInformationSubItem() throws {
        let info = UserInformation(
            maximumLength: 0, implementationClassUID: "1.2.3", implementationVersionName: "TANDEM_1",
            asynchronousOperationsWindow: AsynchronousOperationsWindow(maximumOperationsInvoked: 5, maximumOperationsPerformed: 0),
            roleSelections: [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: false, scpRole: true)],
            extendedNegotiations: [SOPClassExtendedNegotiation(sopClassUID: "1.2.840.10008.5.1.4.1.2.1.1", serviceClassApplicationInformation: [1, 0, 1])],
            commonExtendedNegotiations: [SOPClassCommonExtendedNegotiation(
                sopClassUID: "1.2.840.10008.5.1.4.1.1.88.22", serviceClassUID: "1.2.840.10008.4.2",
                relatedGeneralSOPClassUIDs: ["1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.88.33"])],
            userIdentityRequest: UserIdentityRequest(
                identityType: .usernameAndPasscode, positiveResponseRequested: true,
                primaryField: Array("radiologist".utf8), secondaryField: Array("secret".utf8)))
        let rq = AAssociateRQ(
            calledAETitle: try AETitle("TANDEM"), callingAETitle: try AETitle("SITE1"),
            presentationContexts: [
                PresentationContextRQ(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"]),
                PresentationContextRQ(id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.1.2",
                                      transferSyntaxes: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
            ],
            userInformation: info)
        let bytes = try PDU.associateRQ(rq).encode()
        #expect(try PDU.decode(bytes: bytes) == .associateRQ(rq))
    }

    @Test func encodesCommonExtendedNegotiationLayout() throws {
        var writer = PDUWriter()
        try SOPClassCommonExtendedNegotiation(sopClassUID: "1.2", serviceClassUID: "3", relatedGeneralSOPClassUIDs: ["4.5"])
            .encode(into: &writer)
        // 57H, version 0, length 15: SOP class (len 3 "1.2"), service class (len 1 "3"),
        // related list (len 5: one UID of len 3 "4.5").
        #expect(writer.bytes == F.hex("57 00 000F 0003") + F.ascii("1.2") + F.hex("0001") + F.ascii("3")
            + F.hex("0005 0003") + F.ascii("4.5"))
    }

    @Test func skipsUnknownItemsAndSubItems() throws {
        let rq = try #require({ () throws -> AAssociateRQ? in
            if case .associateRQ(let rq) = try PDU.decode(bytes: F.dcmtkAssociateRQ.joined) { return rq }
            return nil
        }())
        var parts = F.dcmtkAssociateRQ
        parts[12] = F.hex("50 00 0042")  // user information grows by the 8-byte unknown sub-item
        parts.insert(F.hex("7F 00 0004 DEADBEEF"), at: 13)  // unknown sub-item type 7F
        parts.append(F.hex("99 00 0002 0102"))  // unknown item type 99 after user information
        let body = Array(parts.joined.dropFirst(6))
        #expect(try PDU.decode(type: 0x01, body: body) == .associateRQ(rq))
    }

    @Test(arguments: [
        (F.hex("08 00 00000000"), PDUDecodingError.unrecognizedPDUType(0x08)),
        (F.hex("03 00 00000003 00 01 01"), .truncated),  // RJ one byte short, length says so
        (F.hex("05 00 00000005 00000000 00"), .invalidParameterValue("1 bytes after the last field")),
        (F.hex("04 00 00000005 00000001 01"), .invalidParameterValue("PDV item length 1")),
        (F.hex("04 00 00000006 00000010 0102"), .truncated),  // PDV claims 16 bytes, has 2
        (F.hex("04 00 00000006 00000002 01 04"), .invalidParameterValue("message control header 4")),
        (F.hex("04 00 00000000"), .missingItem("presentation data value")),
        (F.hex("07 00 00000004 00 00 09 00"), nil),  // reserved source byte: accepted as a provider abort
    ] as [([UInt8], PDUDecodingError?)])
    func rejectsMalformedPDUs(bytes: [UInt8], error: PDUDecodingError?) {
        if let error {
            #expect(throws: error) { try PDU.decode(bytes: bytes) }
        } else {
            #expect(throws: Never.self) { try PDU.decode(bytes: bytes) }
        }
    }

    @Test func requestWithoutApplicationContextIsInvalid() {
        let parts = F.dcmtkAssociateRQ
        var body = Array(parts.joined.dropFirst(6))
        body.removeSubrange(68..<(68 + 4 + 21))  // drop item 10H
        #expect(throws: PDUDecodingError.missingItem("application context")) { try PDU.decode(type: 1, body: body) }
    }

    @Test func claimedItemLengthBeyondThePDUIsTruncation() {
        var body = Array(F.dcmtkAssociateRQ.joined.dropFirst(6))
        body[70] = 0xFF  // application context length FF15
        #expect(throws: PDUDecodingError.truncated) { try PDU.decode(type: 1, body: body) }
    }

    @Test func aeTitles() throws {
        #expect(try AETitle("  STORE ").value == "STORE")
        #expect(try AETitle("STORE").field == F.ascii("STORE           "))
        #expect(throws: AETitle.ValidationError.empty) { try AETitle("   ") }
        #expect(throws: AETitle.ValidationError.tooLong("ABCDEFGHIJKLMNOPQ")) { try AETitle("ABCDEFGHIJKLMNOPQ") }
        #expect(throws: AETitle.ValidationError.invalidCharacter("A\\B")) { try AETitle("A\\B") }
        #expect(AETitle(received: F.ascii("  SCU\0\0\0")[...]).value == "SCU")
        // Bytes outside the repertoire are kept visible but cannot grow the 16-byte field.
        #expect(AETitle(received: (F.ascii("AB") + [0xFF, 0xC3]  + F.ascii("C"))[...]).field == F.ascii("AB??C           "))
    }
}
