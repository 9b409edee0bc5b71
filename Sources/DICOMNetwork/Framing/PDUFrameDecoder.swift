import NIOCore

/// Splits the TCP byte stream into PDUs (PS3.8 §9.3.1: type, reserved, 32-bit length) and
/// decodes each with the pure codec. Protocol decisions are left to the association handler.
///
/// The length is checked against `maximumPDULength` as soon as the 6-byte header arrives, so a
/// peer claiming 4 GB gets an error (and then an A-ABORT) without anything being allocated for
/// it; an unknown PDU type is reported at the header too, without waiting for its body.
public struct PDUFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = PDU

    public let maximumPDULength: UInt32
    /// A smaller bound for the first PDU only: an acceptor's first PDU is the A-ASSOCIATE-RQ,
    /// a few KB, so a header claiming more is refused before the association exists.
    public let firstPDULimit: UInt32?
    private var sawFirstPDU = false

    public init(maximumPDULength: UInt32, firstPDULimit: UInt32? = nil) {
        self.maximumPDULength = maximumPDULength
        self.firstPDULimit = firstPDULimit
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let limit = sawFirstPDU ? maximumPDULength : min(firstPDULimit ?? maximumPDULength, maximumPDULength)
        guard let pdu = try Self.nextPDU(from: &buffer, maximumPDULength: limit) else { return .needMoreData }
        sawFirstPDU = true
        context.fireChannelRead(Self.wrapInboundOut(pdu))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial PDU at end of stream is dropped: the connection is gone (Evt17 follows).
        try decode(context: context, buffer: &buffer)
    }

    /// The next whole PDU in `buffer`, or nil when more bytes are needed.
    static func nextPDU(from buffer: inout ByteBuffer, maximumPDULength: UInt32) throws -> PDU? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard PDU.PDUType(rawValue: type) != nil else { throw PDUDecodingError.unrecognizedPDUType(type) }
        guard let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt32.self) else { return nil }
        guard length <= maximumPDULength else {
            throw PDUFramingError.pduTooLarge(type: type, length: length, limit: maximumPDULength)
        }
        guard buffer.readableBytes >= PDU.headerLength + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: PDU.headerLength)
        let body = buffer.readBytes(length: Int(length))!
        return try PDU.decode(type: type, body: body)
    }
}

/// Framing violations found before a PDU body is read.
public enum PDUFramingError: Error, Hashable, Sendable {
    /// The header claims more than this side accepts (PS3.8 §D.1 for P-DATA-TF).
    case pduTooLarge(type: UInt8, length: UInt32, limit: UInt32)
    /// The peer sent more than an A-ASSOCIATE-RQ may take before its association was accepted.
    case tooLongBeforeAssociation(limit: Int)
}
