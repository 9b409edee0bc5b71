/// SOP class extended negotiation sub-item (PS3.7 §D.3.3.5, item type 56H): service-class
/// specific bytes, opaque to the upper layer.
public struct SOPClassExtendedNegotiation: Hashable, Sendable {
    public var sopClassUID: String
    public var serviceClassApplicationInformation: [UInt8]

    public init(sopClassUID: String, serviceClassApplicationInformation: [UInt8]) {
        self.sopClassUID = sopClassUID
        self.serviceClassApplicationInformation = serviceClassApplicationInformation
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        sopClassUID = try reader.readText(Int(try reader.readUInt16()))
        serviceClassApplicationInformation = try reader.readBytes(reader.remaining)
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x56) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            try sub.writeUInt16LengthPrefixed(text: sopClassUID)
            sub.write(bytes: serviceClassApplicationInformation)
        }
    }
}

/// SOP class common extended negotiation sub-item (PS3.7 §D.3.3.6, item type 57H, sent by the
/// requestor only): the service class of a SOP class and related general SOP classes.
public struct SOPClassCommonExtendedNegotiation: Hashable, Sendable {
    /// Sub-item version, carried in the byte after the item type (0 in current editions).
    public var version: UInt8
    public var sopClassUID: String
    public var serviceClassUID: String
    public var relatedGeneralSOPClassUIDs: [String]

    public init(version: UInt8 = 0, sopClassUID: String, serviceClassUID: String, relatedGeneralSOPClassUIDs: [String]) {
        self.version = version
        self.sopClassUID = sopClassUID
        self.serviceClassUID = serviceClassUID
        self.relatedGeneralSOPClassUIDs = relatedGeneralSOPClassUIDs
    }

    init(from reader: inout PDUReader, version: UInt8) throws(PDUDecodingError) {
        self.version = version
        sopClassUID = try reader.readText(Int(try reader.readUInt16()))
        serviceClassUID = try reader.readText(Int(try reader.readUInt16()))
        var related = try reader.readSubReader(Int(try reader.readUInt16()))
        relatedGeneralSOPClassUIDs = []
        while !related.isAtEnd {
            relatedGeneralSOPClassUIDs.append(try related.readText(Int(try related.readUInt16())))
        }
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x57, secondByte: version) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            try sub.writeUInt16LengthPrefixed(text: sopClassUID)
            try sub.writeUInt16LengthPrefixed(text: serviceClassUID)
            try sub.writeUInt16LengthPrefixed { (list: inout PDUWriter) throws(PDUEncodingError) in
                for uid in relatedGeneralSOPClassUIDs { try list.writeUInt16LengthPrefixed(text: uid) }
            }
        }
    }
}
