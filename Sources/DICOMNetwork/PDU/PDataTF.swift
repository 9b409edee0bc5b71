/// P-DATA-TF PDU (PS3.8 §9.3.5): one or more presentation data value items.
public struct PDataTF: Hashable, Sendable {
    public var values: [PresentationDataValue]

    public init(values: [PresentationDataValue]) { self.values = values }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        values = []
        while !reader.isAtEnd {
            let length = try reader.readUInt32()
            // The item length counts the context ID and the control header (PS3.8 §9.3.5.1).
            guard length >= 2 else { throw .invalidParameterValue("PDV item length \(length)") }
            guard UInt64(length) <= UInt64(reader.remaining) else { throw .truncated }
            var item = try reader.readSubReader(Int(length))
            values.append(try PresentationDataValue(from: &item))
        }
        guard !values.isEmpty else { throw .missingItem("presentation data value") }
    }

    /// Length of `header(dataLength:presentationContextID:isCommand:isLastFragment:)`.
    public static let singleValueHeaderLength = 12

    /// The 12 bytes before the data of a P-DATA-TF holding one PDV (PS3.8 §9.3.5, §E.2): PDU
    /// type and length, PDV item length, presentation context ID, message control header. A
    /// sender writes the fragment's bytes right after them, without copying them into a PDV.
    public static func header(dataLength: Int, presentationContextID: UInt8, isCommand: Bool, isLastFragment: Bool) -> [UInt8] {
        var writer = PDUWriter()
        writer.write(PDU.PDUType.dataTF.rawValue)
        writer.write(UInt8(0))
        writer.write(UInt32(6 + dataLength))  // the one PDV item: its length field and the item
        writer.write(UInt32(2 + dataLength))  // the item length counts context ID and control header
        writer.write(presentationContextID)
        writer.write(PresentationDataValue.messageControlHeader(isCommand: isCommand, isLastFragment: isLastFragment))
        return writer.bytes
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        for value in values {
            guard value.data.count <= Int(UInt32.max) - 2 else { throw .fieldTooLong(value.data.count) }
            writer.write(UInt32(value.data.count + 2))
            writer.write(value.presentationContextID)
            writer.write(value.messageControlHeader)
            writer.write(bytes: value.data)
        }
    }
}

/// A presentation data value: a fragment of a DIMSE command or data set (PS3.8 Annex E).
public struct PresentationDataValue: Hashable, Sendable {
    public var presentationContextID: UInt8
    /// Message control header bit 0: command information rather than a data set (PS3.8 §E.2).
    public var isCommand: Bool
    /// Message control header bit 1: the last fragment of the command or data set.
    public var isLastFragment: Bool
    public var data: [UInt8]

    public init(presentationContextID: UInt8, isCommand: Bool, isLastFragment: Bool, data: [UInt8]) {
        self.presentationContextID = presentationContextID
        self.isCommand = isCommand
        self.isLastFragment = isLastFragment
        self.data = data
    }

    public static func messageControlHeader(isCommand: Bool, isLastFragment: Bool) -> UInt8 {
        (isCommand ? 0x01 : 0) | (isLastFragment ? 0x02 : 0)
    }

    var messageControlHeader: UInt8 {
        Self.messageControlHeader(isCommand: isCommand, isLastFragment: isLastFragment)
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        presentationContextID = try reader.readUInt8()
        let header = try reader.readUInt8()
        // Bits 2–7 shall be zero (PS3.8 §E.2).
        guard header & 0xFC == 0 else { throw .invalidParameterValue("message control header \(header)") }
        isCommand = header & 0x01 != 0
        isLastFragment = header & 0x02 != 0
        data = try reader.readBytes(reader.remaining)
    }
}
