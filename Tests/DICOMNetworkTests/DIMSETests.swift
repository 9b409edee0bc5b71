import DICOMCore
import Testing
@testable import DICOMNetwork

@Suite("DIMSE commands (PS3.7)")
struct DIMSETests {
    @Test func storeRequestWithANonASCIIUIDIsDecodedAndAnsweredWithoutEchoingIt() throws {
        // Latin-1 "é" in the Affected SOP Instance UID: not a UID, but the command still decodes,
        // so the service can answer it with a status (0117H) instead of an A-ABORT.
        var command = try CommandSet.decode(try CStoreRequest(messageID: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.7",
                                                              affectedSOPInstanceUID: "1.2.3").encode())
        command.insert(DataElement(tag: CommandSet.affectedSOPInstanceUID, vr: .UI, value: .bytes([0x31, 0x2E, 0xE9, 0x00])))
        let decoded = try DIMSECommand(decoding: try CommandSet.encode(command))
        guard case .cStoreRQ(let request) = decoded else {
            Issue.record("not a C-STORE-RQ: \(decoded)")
            return
        }
        #expect(request.affectedSOPInstanceUID == "1.\u{FFFD}")
        let response = try #require(decoded.response(DIMSEResult(DIMSEStatus(rawValue: 0x0117))))
        guard case .cStoreRSP(let answer) = try DIMSECommand(decoding: try response.encode()) else {
            Issue.record("not a C-STORE-RSP")
            return
        }
        #expect(answer.affectedSOPInstanceUID == nil)
        #expect(answer.affectedSOPClassUID == "1.2.840.10008.5.1.4.1.1.7")
        #expect(answer.status.rawValue == 0x0117)
    }

    @Test func echoRequestMatchesDCMTKByteForByte() throws {
        // The command set inside echoscu's P-DATA-TF (after PDV length, context ID and header).
        let dcmtkCommand = Array(PDUFixtures.dcmtkEchoRequest.joined.dropFirst(6 + 6))
        #expect(try CEchoRequest(messageID: 1).encode() == dcmtkCommand)
        #expect(try DIMSECommand(decoding: dcmtkCommand) == .cEchoRQ(CEchoRequest(messageID: 1)))
        #expect(try DIMSECommand(decoding: dcmtkCommand).hasDataSet == false)
    }

    @Test func echoResponseRoundTrip() throws {
        let response = CEchoResponse(messageIDBeingRespondedTo: 7, status: .success)
        let bytes = try response.encode()
        // Command Group Length (0000,0000) UL first, counting the bytes after it.
        #expect(Array(bytes.prefix(8)) == [0, 0, 0, 0, 4, 0, 0, 0])
        #expect(Int(bytes[8]) | Int(bytes[9]) << 8 == bytes.count - 12)
        #expect(try DIMSECommand(decoding: bytes) == .cEchoRSP(response))
    }

    @Test func storeRequestWithEveryField() throws {
        let request = CStoreRequest(
            messageID: 42, priority: .high, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
            affectedSOPInstanceUID: "1.2.3.4.5.6.7", moveOriginatorAETitle: "MOVER", moveOriginatorMessageID: 9)
        let bytes = try request.encode()
        #expect(try DIMSECommand(decoding: bytes).hasDataSet == true)
        #expect(try DIMSECommand(decoding: bytes) == .cStoreRQ(request))
        let command = try CommandSet.decode(bytes)
        #expect(command.uint16(CommandSet.commandField) == 0x0001)
        #expect(command.uint16(CommandSet.priority) == 0x0001)
        #expect(command.uint32(CommandSet.groupLength) == UInt32(bytes.count - 12))
    }

    @Test(arguments: [
        (DIMSEStatus.success, DIMSEStatus.Category.success), (.coercionOfDataElements, .warning),
        (.elementsDiscarded, .warning), (.dataSetDoesNotMatchSOPClassWarning, .warning),
        (DIMSEStatus(rawValue: 0xA7FF), .failure), (.outOfResources, .failure), (DIMSEStatus(rawValue: 0xA9A1), .failure),
        (DIMSEStatus(rawValue: 0xC123), .failure), (.cancel, .cancel), (.pending, .pending), (DIMSEStatus(rawValue: 0xFF01), .pending),
        (DIMSEStatus(rawValue: 0x0001), .warning), (.sopClassNotSupported, .failure),
    ])
    func statusCategories(status: DIMSEStatus, category: DIMSEStatus.Category) {
        #expect(status.category == category)
    }

    @Test(arguments: [DIMSEStatus.success, .coercionOfDataElements, .elementsDiscarded, .dataSetDoesNotMatchSOPClassWarning,
                      DIMSEStatus(rawValue: 0xA701), DIMSEStatus(rawValue: 0xA900), DIMSEStatus(rawValue: 0xC001)])
    func storeResponseRoundTrip(status: DIMSEStatus) throws {
        let response = CStoreResponse(
            messageIDBeingRespondedTo: 42, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2",
            affectedSOPInstanceUID: "1.2.3.4.5.6.7", status: status,
            errorComment: status == .success ? nil : "disk full", offendingElements: status == .success ? [] : [Tag(0x0010, 0x0010)])
        let bytes = try response.encode()
        #expect(try DIMSECommand(decoding: bytes).hasDataSet == false)
        #expect(try DIMSECommand(decoding: bytes) == .cStoreRSP(response))
    }

    @Test func cancelRequestIsParsed() throws {
        let bytes = try CCancelRequest(messageIDBeingRespondedTo: 5).encode()
        #expect(try DIMSECommand(decoding: bytes) == .cCancelRQ(CCancelRequest(messageIDBeingRespondedTo: 5)))
        #expect(try CommandSet.decode(bytes).uint16(CommandSet.commandField) == 0x0FFF)
    }

    @Test func truncatedCommandsAreErrors() throws {
        let bytes = try CStoreRequest(messageID: 1, affectedSOPClassUID: "1.2", affectedSOPInstanceUID: "3.4").encode()
        #expect(throws: (any Error).self) { try DIMSECommand(decoding: Array(bytes.prefix(bytes.count - 3))) }
        #expect(throws: (any Error).self) { try DIMSECommand(decoding: Array(bytes.prefix(20))) }
        // A command without its message ID.
        var command = try CommandSet.decode(bytes)
        _ = command.remove(CommandSet.messageID)
        #expect(throws: DIMSEDecodingError("missing or invalid (0000,0110)")) {
            try DIMSECommand(decoding: try CommandSet.encode(command))
        }
    }

    // Command sets written by pynetdicom 3.0 (an independent encoder), element by element. It
    // writes Command Data Set Type 0001H for "present"; this implementation writes 0000H (any
    // value but 0101H means present, PS3.7 §E.1), so encoding is compared with that one value patched.

    @Test func findRequestFromPynetdicom() throws {
        let request = CFindRequest(messageID: 7, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1")
        #expect(try DIMSECommand(decoding: Self.findRequest) == .cFindRQ(request))
        #expect(try request.encode() == Self.writtenPresent(Self.findRequest))
    }

    @Test func pendingFindResponseFromPynetdicom() throws {
        let response = CFindResponse(messageIDBeingRespondedTo: 7, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.1",
                                     status: .pending, hasIdentifier: true)
        #expect(try DIMSECommand(decoding: Self.pendingFindResponse) == .cFindRSP(response))
        #expect(try response.encode() == Self.writtenPresent(Self.pendingFindResponse))
        // The final response carries no identifier.
        let final = CFindResponse(messageIDBeingRespondedTo: 7, affectedSOPClassUID: nil, status: .cancel)
        #expect(try DIMSECommand(decoding: final.encode()) == .cFindRSP(final))
        #expect(try DIMSECommand(decoding: final.encode()).hasDataSet == false)
    }

    @Test func cancelRequestFromPynetdicom() throws {
        let cancel = CCancelRequest(messageIDBeingRespondedTo: 7)
        #expect(try DIMSECommand(decoding: Self.cancelRequest) == .cCancelRQ(cancel))
        #expect(try cancel.encode() == Self.cancelRequest)
    }

    @Test func pendingGetResponseFromPynetdicom() throws {
        let response = CGetResponse(
            messageIDBeingRespondedTo: 3, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.3", status: .pending,
            subOperations: SubOperationCounts(remaining: 5, completed: 2, failed: 0, warning: 1))
        #expect(try DIMSECommand(decoding: Self.pendingGetResponse) == .cGetRSP(response))
        #expect(try response.encode() == Self.pendingGetResponse)
        // The same fields under C-MOVE-RSP's Command Field.
        let move = CMoveResponse(messageIDBeingRespondedTo: 3, affectedSOPClassUID: nil, status: .success,
                                 subOperations: SubOperationCounts(completed: 7), hasIdentifier: true)
        #expect(try DIMSECommand(decoding: move.encode()) == .cMoveRSP(move))
    }

    @Test func moveRequestFromPynetdicom() throws {
        let request = CMoveRequest(messageID: 9, priority: .low, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.2",
                                   moveDestination: "STORESCP")
        #expect(try DIMSECommand(decoding: Self.moveRequest) == .cMoveRQ(request))
        #expect(try request.encode() == Self.writtenPresent(Self.moveRequest))
        let get = CGetRequest(messageID: 4, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.2.2.3")
        #expect(try DIMSECommand(decoding: get.encode()) == .cGetRQ(get))
    }

    @Test func storageCommitmentActionFromPynetdicom() throws {
        let request = NActionRequest(messageID: 11, requestedSOPClassUID: "1.2.840.10008.1.20.1",
                                     requestedSOPInstanceUID: "1.2.840.10008.1.20.1.1", actionTypeID: 1, hasActionInformation: true)
        #expect(try DIMSECommand(decoding: Self.commitmentActionRequest) == .nActionRQ(request))
        #expect(try request.encode() == Self.writtenPresent(Self.commitmentActionRequest))
        let response = try #require(DIMSECommand.nActionRQ(request).response(.success))
        #expect(try DIMSECommand(decoding: response.encode()) == response)
    }

    @Test func storageCommitmentEventReportFromPynetdicom() throws {
        let request = NEventReportRequest(messageID: 12, affectedSOPClassUID: "1.2.840.10008.1.20.1",
                                          affectedSOPInstanceUID: "1.2.840.10008.1.20.1.1", eventTypeID: 2, hasEventInformation: true)
        #expect(try DIMSECommand(decoding: Self.commitmentEventReport) == .nEventReportRQ(request))
        #expect(try request.encode() == Self.writtenPresent(Self.commitmentEventReport))
        let response = try #require(DIMSECommand.nEventReportRQ(request).response(.success))
        #expect(try DIMSECommand(decoding: response.encode()) == response)
    }

    @Test func requestWithoutItsDataSetIsAnError() throws {
        var command = try CommandSet.decode(Self.findRequest)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        #expect(throws: DIMSEDecodingError("cFindRQ without its data set")) {
            try DIMSECommand(decoding: try CommandSet.encode(command))
        }
    }

    @Test func unsupportedCommandsKeepTheirFraming() throws {
        var command = DataSet()
        try command.set(CommandSet.commandField, vr: .US, uint16: 0x0110)  // N-GET-RQ
        try command.set(CommandSet.messageID, vr: .US, uint16: 3)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        let decoded = try DIMSECommand(decoding: try CommandSet.encode(command))
        #expect(decoded == .unsupported(commandField: 0x0110, messageID: 3, hasDataSet: false))
        #expect(decoded.response(.success) == nil)
    }

    /// `bytes` with the value of Command Data Set Type set to 0000H, the one this implementation
    /// writes for "present".
    static func writtenPresent(_ bytes: [UInt8]) -> [UInt8] {
        var patched = bytes
        let header: [UInt8] = [0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00]
        let start = (0...(bytes.count - 10)).first { Array(bytes[$0..<$0 + 8]) == header }!
        patched[start + 8] = 0x00
        patched[start + 9] = 0x00
        return patched
    }

    static let findRequest: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 76
            0x4C, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x00, 0x1C, 0x00, 0x00, 0x00,  // (0000,0002) UI '1.2.840.10008.5.1.4.1.2.2.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x35, 0x2E,
            0x31, 0x2E, 0x34, 0x2E, 0x31, 0x2E, 0x32, 0x2E, 0x32, 0x2E, 0x31, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 32
            0x20, 0x00,
        0x00, 0x00, 0x10, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0110) US 7
            0x07, 0x00,
        0x00, 0x00, 0x00, 0x07, 0x02, 0x00, 0x00, 0x00,  // (0000,0700) US 0
            0x00, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 1
            0x01, 0x00,
    ]
    static let pendingFindResponse: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 76
            0x4C, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x00, 0x1C, 0x00, 0x00, 0x00,  // (0000,0002) UI '1.2.840.10008.5.1.4.1.2.2.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x35, 0x2E,
            0x31, 0x2E, 0x34, 0x2E, 0x31, 0x2E, 0x32, 0x2E, 0x32, 0x2E, 0x31, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 32800
            0x20, 0x80,
        0x00, 0x00, 0x20, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0120) US 7
            0x07, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 1
            0x01, 0x00,
        0x00, 0x00, 0x00, 0x09, 0x02, 0x00, 0x00, 0x00,  // (0000,0900) US 65280
            0x00, 0xFF,
    ]
    static let cancelRequest: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 30
            0x1E, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 4095
            0xFF, 0x0F,
        0x00, 0x00, 0x20, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0120) US 7
            0x07, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 257
            0x01, 0x01,
    ]
    static let pendingGetResponse: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 116
            0x74, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x00, 0x1C, 0x00, 0x00, 0x00,  // (0000,0002) UI '1.2.840.10008.5.1.4.1.2.2.3'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x35, 0x2E,
            0x31, 0x2E, 0x34, 0x2E, 0x31, 0x2E, 0x32, 0x2E, 0x32, 0x2E, 0x33, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 32784
            0x10, 0x80,
        0x00, 0x00, 0x20, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0120) US 3
            0x03, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 257
            0x01, 0x01,
        0x00, 0x00, 0x00, 0x09, 0x02, 0x00, 0x00, 0x00,  // (0000,0900) US 65280
            0x00, 0xFF,
        0x00, 0x00, 0x20, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1020) US 5
            0x05, 0x00,
        0x00, 0x00, 0x21, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1021) US 2
            0x02, 0x00,
        0x00, 0x00, 0x22, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1022) US 0
            0x00, 0x00,
        0x00, 0x00, 0x23, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1023) US 1
            0x01, 0x00,
    ]
    static let moveRequest: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 92
            0x5C, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x00, 0x1C, 0x00, 0x00, 0x00,  // (0000,0002) UI '1.2.840.10008.5.1.4.1.2.2.2'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x35, 0x2E,
            0x31, 0x2E, 0x34, 0x2E, 0x31, 0x2E, 0x32, 0x2E, 0x32, 0x2E, 0x32, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 33
            0x21, 0x00,
        0x00, 0x00, 0x10, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0110) US 9
            0x09, 0x00,
        0x00, 0x00, 0x00, 0x06, 0x08, 0x00, 0x00, 0x00,  // (0000,0600) AE 'STORESCP'
            0x53, 0x54, 0x4F, 0x52, 0x45, 0x53, 0x43, 0x50,
        0x00, 0x00, 0x00, 0x07, 0x02, 0x00, 0x00, 0x00,  // (0000,0700) US 2
            0x02, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 1
            0x01, 0x00,
    ]
    static let commitmentActionRequest: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 98
            0x62, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x03, 0x00, 0x14, 0x00, 0x00, 0x00,  // (0000,0003) UI '1.2.840.10008.1.20.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x31, 0x2E,
            0x32, 0x30, 0x2E, 0x31,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 304
            0x30, 0x01,
        0x00, 0x00, 0x10, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0110) US 11
            0x0B, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 1
            0x01, 0x00,
        0x00, 0x00, 0x01, 0x10, 0x16, 0x00, 0x00, 0x00,  // (0000,1001) UI '1.2.840.10008.1.20.1.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x31, 0x2E,
            0x32, 0x30, 0x2E, 0x31, 0x2E, 0x31,
        0x00, 0x00, 0x08, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1008) US 1
            0x01, 0x00,
    ]
    static let commitmentEventReport: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // (0000,0000) UL 98
            0x62, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00,  // (0000,0002) UI '1.2.840.10008.1.20.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x31, 0x2E,
            0x32, 0x30, 0x2E, 0x31,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0100) US 256
            0x00, 0x01,
        0x00, 0x00, 0x10, 0x01, 0x02, 0x00, 0x00, 0x00,  // (0000,0110) US 12
            0x0C, 0x00,
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00,  // (0000,0800) US 1
            0x01, 0x00,
        0x00, 0x00, 0x00, 0x10, 0x16, 0x00, 0x00, 0x00,  // (0000,1000) UI '1.2.840.10008.1.20.1.1'
            0x31, 0x2E, 0x32, 0x2E, 0x38, 0x34, 0x30, 0x2E, 0x31, 0x30, 0x30, 0x30, 0x38, 0x2E, 0x31, 0x2E,
            0x32, 0x30, 0x2E, 0x31, 0x2E, 0x31,
        0x00, 0x00, 0x02, 0x10, 0x02, 0x00, 0x00, 0x00,  // (0000,1002) US 2
            0x02, 0x00,
    ]
}
