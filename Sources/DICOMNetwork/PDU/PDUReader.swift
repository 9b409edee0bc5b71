/// Big-endian reading over the bytes of one PDU (PS3.8 §9.3.1: multi-byte fields are sent
/// most significant byte first). Every read checks the remaining length first, so a claimed
/// length never leads to reading past the PDU or to an allocation larger than the PDU itself.
///
/// Plain Swift on purpose: the PDU parser compiles without SwiftNIO (the fuzzer builds it alone).
struct PDUReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var remaining: Int { bytes.count }
    var isAtEnd: Bool { bytes.isEmpty }

    mutating func readUInt8() throws(PDUDecodingError) -> UInt8 {
        guard let byte = bytes.popFirst() else { throw .truncated }
        return byte
    }

    mutating func readUInt16() throws(PDUDecodingError) -> UInt16 {
        let high = try readUInt8(), low = try readUInt8()
        return UInt16(high) << 8 | UInt16(low)
    }

    mutating func readUInt32() throws(PDUDecodingError) -> UInt32 {
        let high = try readUInt16(), low = try readUInt16()
        return UInt32(high) << 16 | UInt32(low)
    }

    mutating func readBytes(_ count: Int) throws(PDUDecodingError) -> [UInt8] {
        Array(try readSlice(count))
    }

    mutating func skip(_ count: Int) throws(PDUDecodingError) {
        _ = try readSlice(count)
    }

    /// A reader over the next `count` bytes, which this reader then skips.
    mutating func readSubReader(_ count: Int) throws(PDUDecodingError) -> PDUReader {
        PDUReader(try readSlice(count))
    }

    /// Rest of the bytes as a reader; this reader becomes empty.
    mutating func readRest() -> PDUReader {
        defer { bytes = bytes[bytes.endIndex...] }
        return PDUReader(bytes)
    }

    /// A UID or other text field: ASCII, trailing NUL or space padding dropped (some peers pad
    /// UIDs to even length although PS3.8 §9.3.2.2 says they shall not be padded).
    mutating func readText(_ count: Int) throws(PDUDecodingError) -> String {
        var slice = try readSlice(count)
        while let last = slice.last, last == 0 || last == 0x20 { slice.removeLast() }
        while let first = slice.first, first == 0x20 { slice.removeFirst() }
        return String(decoding: slice, as: UTF8.self)
    }

    private mutating func readSlice(_ count: Int) throws(PDUDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count else { throw .truncated }
        let end = bytes.startIndex + count
        defer { bytes = bytes[end...] }
        return bytes[bytes.startIndex..<end]
    }
}
