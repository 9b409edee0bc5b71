import DICOMCore
import Testing
@testable import DICOMNetwork

@Suite("DIMSE commands (PS3.7)")
struct DIMSETests {
    @Test func echoRequestMatchesDCMTKByteForByte() throws {
        // The command set inside echoscu's P-DATA-TF (after PDV length, context ID and header).
        let dcmtkCommand = Array(PDUFixtures.dcmtkEchoRequest.joined.dropFirst(6 + 6))
        #expect(try CEchoRequest(messageID: 1).encode() == dcmtkCommand)
        #expect(try DIMSECommand(decoding: dcmtkCommand) == .cEchoRQ(CEchoRequest(messageID: 1)))
        #expect(CommandSetInspection.hasDataSet(dcmtkCommand) == false)
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
        #expect(CommandSetInspection.hasDataSet(bytes) == true)
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
        #expect(CommandSetInspection.hasDataSet(bytes) == false)
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
        #expect(CommandSetInspection.hasDataSet(Array(bytes.prefix(20))) == nil)
        // A command without its message ID.
        var command = try CommandSet.decode(bytes)
        _ = command.remove(CommandSet.messageID)
        #expect(throws: DIMSEDecodingError("missing or invalid (0000,0110)")) {
            try DIMSECommand(decoding: try CommandSet.encode(command))
        }
    }
}
