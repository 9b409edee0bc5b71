/// Big-endian writing of PDU fields (PS3.8 §9.3.1), with length-prefixed items whose length
/// is filled in once the item body is written.
struct PDUWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        write(UInt16(truncatingIfNeeded: value >> 16))
        write(UInt16(truncatingIfNeeded: value))
    }

    mutating func write<Bytes: Sequence<UInt8>>(bytes more: Bytes) { bytes.append(contentsOf: more) }

    mutating func write(zeros count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }

    /// Item or sub-item: type, reserved (or version) byte, 16-bit length, body (PS3.8 §9.3.2.x).
    mutating func writeItem(
        type: UInt8, secondByte: UInt8 = 0, body: (inout PDUWriter) throws(PDUEncodingError) -> Void
    ) throws(PDUEncodingError) {
        write(type)
        write(secondByte)
        try writeUInt16LengthPrefixed(body)
    }

    /// A 16-bit length followed by the bytes `body` writes.
    mutating func writeUInt16LengthPrefixed(
        _ body: (inout PDUWriter) throws(PDUEncodingError) -> Void
    ) throws(PDUEncodingError) {
        var inner = PDUWriter()
        try body(&inner)
        guard inner.bytes.count <= Int(UInt16.max) else { throw .fieldTooLong(inner.bytes.count) }
        write(UInt16(inner.bytes.count))
        write(bytes: inner.bytes)
    }

    /// Text preceded by its 16-bit length, as in role selection and extended negotiation.
    mutating func writeUInt16LengthPrefixed(text: String) throws(PDUEncodingError) {
        try writeUInt16LengthPrefixed { (writer: inout PDUWriter) throws(PDUEncodingError) in
            writer.write(bytes: Array(text.utf8))
        }
    }
}
