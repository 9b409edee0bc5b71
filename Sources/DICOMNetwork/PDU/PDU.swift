/// A protocol data unit of the DICOM upper layer (PS3.8 §9.3, Table 9-11).
public enum PDU: Hashable, Sendable {
    case associateRQ(AAssociateRQ)
    case associateAC(AAssociateAC)
    case associateRJ(AAssociateRJ)
    case dataTF(PDataTF)
    case releaseRQ
    case releaseRP
    case abort(AAbort)

    /// PDU type codes (PS3.8 Table 9-11).
    public enum PDUType: UInt8, Sendable, CaseIterable {
        case associateRQ = 0x01
        case associateAC = 0x02
        case associateRJ = 0x03
        case dataTF = 0x04
        case releaseRQ = 0x05
        case releaseRP = 0x06
        case abort = 0x07
    }

    /// Every PDU starts with type (1), reserved (1) and a 32-bit length of the rest (PS3.8 §9.3.1).
    public static let headerLength = 6

    public var type: PDUType {
        switch self {
        case .associateRQ: .associateRQ
        case .associateAC: .associateAC
        case .associateRJ: .associateRJ
        case .dataTF: .dataTF
        case .releaseRQ: .releaseRQ
        case .releaseRP: .releaseRP
        case .abort: .abort
        }
    }

    /// Decodes the body of a PDU whose 6-byte header has been read by the framing layer.
    public static func decode(type: UInt8, body: [UInt8]) throws(PDUDecodingError) -> PDU {
        guard let pduType = PDUType(rawValue: type) else { throw .unrecognizedPDUType(type) }
        var reader = PDUReader(body)
        let pdu: PDU
        switch pduType {
        case .associateRQ: pdu = .associateRQ(try AAssociateRQ(from: &reader))
        case .associateAC: pdu = .associateAC(try AAssociateAC(from: &reader))
        case .associateRJ: pdu = .associateRJ(try AAssociateRJ(from: &reader))
        case .dataTF: pdu = .dataTF(try PDataTF(from: &reader))
        case .releaseRQ, .releaseRP:
            try reader.skip(4)  // reserved (PS3.8 §9.3.6, §9.3.7)
            pdu = pduType == .releaseRQ ? .releaseRQ : .releaseRP
        case .abort: pdu = .abort(try AAbort(from: &reader))
        }
        // The PDU length covers exactly its fields; anything left over means a malformed PDU.
        guard reader.isAtEnd else { throw .invalidParameterValue("\(reader.remaining) bytes after the last field") }
        return pdu
    }

    /// Decodes one complete PDU, header included (used by tests and the fuzzer).
    public static func decode(bytes: [UInt8]) throws(PDUDecodingError) -> PDU {
        var reader = PDUReader(bytes)
        let type = try reader.readUInt8()
        try reader.skip(1)
        let length = try reader.readUInt32()
        guard UInt64(length) == UInt64(reader.remaining) else { throw .truncated }
        return try decode(type: type, body: reader.readBytes(Int(length)))
    }

    /// The complete PDU, header included.
    public func encode() throws(PDUEncodingError) -> [UInt8] {
        var body = PDUWriter()
        switch self {
        case .associateRQ(let rq): try rq.encode(into: &body)
        case .associateAC(let ac): try ac.encode(into: &body)
        case .associateRJ(let rj): rj.encode(into: &body)
        case .dataTF(let data): try data.encode(into: &body)
        case .releaseRQ, .releaseRP: body.write(zeros: 4)
        case .abort(let abort): abort.encode(into: &body)
        }
        guard body.bytes.count <= Int(UInt32.max) else { throw .fieldTooLong(body.bytes.count) }
        var pdu = PDUWriter()
        pdu.write(type.rawValue)
        pdu.write(UInt8(0))
        pdu.write(UInt32(body.bytes.count))
        pdu.write(bytes: body.bytes)
        return pdu.bytes
    }
}
