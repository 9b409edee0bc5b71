import NIOCore
import NIOEmbedded
import Testing
@testable import DICOMNetwork

@Suite("PDU framing")
struct PDUFrameDecoderTests {
    typealias F = PDUFixtures

    private func channel(limit: UInt32 = 64 * 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PDUFrameDecoder(maximumPDULength: limit)))
        return channel
    }

    @Test func splitsAStreamFedOneByteAtATime() throws {
        let channel = try channel()
        let stream = F.dcmtkAssociateRQ.joined + F.dcmtkEchoRequest.joined + F.releaseRQ + F.abort
        for byte in stream {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        var received: [PDU] = []
        while let pdu = try channel.readInbound(as: PDU.self) { received.append(pdu) }
        #expect(received.map(\.type) == [.associateRQ, .dataTF, .releaseRQ, .abort])
        #expect(received[0] == (try PDU.decode(bytes: F.dcmtkAssociateRQ.joined)))
        #expect(try channel.finish().isClean)
    }

    @Test func splitsSeveralPDUsArrivingInOneRead() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(bytes: F.releaseRQ + F.releaseRP + F.releaseRQ.prefix(3)))
        #expect(try channel.readInbound(as: PDU.self) == .releaseRQ)
        #expect(try channel.readInbound(as: PDU.self) == .releaseRP)
        #expect(try channel.readInbound(as: PDU.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: F.releaseRQ.dropFirst(3)))
        #expect(try channel.readInbound(as: PDU.self) == .releaseRQ)
    }

    @Test func fourGigabyteClaimFailsAtTheHeader() throws {
        let channel = try channel()
        // A-ASSOCIATE-RQ header claiming FFFFFFFF bytes, then nothing.
        #expect(throws: PDUFramingError.pduTooLarge(type: 1, length: 0xFFFF_FFFF, limit: 64 * 1024)) {
            try channel.writeInbound(ByteBuffer(bytes: F.hex("01 00 FFFFFFFF")))
        }
    }

    @Test func pduJustAboveTheLimitFails() throws {
        let channel = try channel(limit: 8)
        #expect(throws: PDUFramingError.pduTooLarge(type: 4, length: 9, limit: 8)) {
            try channel.writeInbound(ByteBuffer(bytes: F.hex("04 00 00000009")))
        }
    }

    @Test func unknownTypeIsReportedFromItsFirstByte() throws {
        let channel = try channel()
        #expect(throws: PDUDecodingError.unrecognizedPDUType(0x47)) {
            try channel.writeInbound(ByteBuffer(bytes: Array("GET / HTTP/1.1\r\n".utf8)))
        }
    }

    @Test func malformedBodyIsReported() throws {
        let channel = try channel()
        #expect(throws: PDUDecodingError.invalidParameterValue("PDV item length 0")) {
            try channel.writeInbound(ByteBuffer(bytes: F.hex("04 00 00000004 00000000")))
        }
    }
}
