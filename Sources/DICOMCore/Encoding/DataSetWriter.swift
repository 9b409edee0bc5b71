/// Encodes a data set in a transfer syntax (PS3.5 §7). Sequences and items keep the defined or
/// undefined length they were read with; defined lengths are computed while writing.
///
/// Normalisations (a well-formed input is reproduced byte for byte):
/// - an odd-length value or fragment is padded to even length with its VR's padding byte (§7.1.1);
/// - in explicit syntaxes a value too long for a VR with a 16-bit length field is written as UN;
/// - group length elements are written with the value they hold, not recomputed.
public struct DataSetWriter {
    public let transferSyntax: TransferSyntax
    private var output: [UInt8] = []

    public init(transferSyntax: TransferSyntax) {
        self.transferSyntax = transferSyntax
    }

    /// The encoded data set; deflated for Deflated Explicit VR Little Endian, where a deflated
    /// stream of odd length gets one trailing 00H (PS3.5 §A.5): a data set always has even length.
    public static func encode(_ dataSet: DataSet, transferSyntax: TransferSyntax) throws -> [UInt8] {
        var writer = DataSetWriter(transferSyntax: transferSyntax)
        try writer.write(dataSet, encoding: ElementEncoding(transferSyntax))
        guard transferSyntax.isDeflated else { return writer.output }
        let deflated = try deflateRaw(writer.output)
        return deflated.count % 2 == 1 ? deflated + [0] : deflated
    }

    /// One element encoded on its own (e.g. a command element), never deflated.
    static func encode(_ element: DataElement, encoding: ElementEncoding) throws -> [UInt8] {
        var writer = DataSetWriter(transferSyntax: .explicitVRLittleEndian)
        try writer.write(element, encoding: encoding)
        return writer.output
    }

    private mutating func write(_ dataSet: DataSet, encoding: ElementEncoding) throws {
        for element in dataSet.elements { try write(element, encoding: encoding) }
    }

    private mutating func write(_ element: DataElement, encoding: ElementEncoding) throws {
        switch element.value {
        case .bytes(let bytes):
            try writeValue(bytes, of: element, encoding: encoding)
        case .sequence(let items):
            // A UN sequence keeps its Implicit VR Little Endian content (CP-246).
            let vr: VR = element.vr == .UN ? .UN : .SQ
            let inner = vr == .UN && encoding.isExplicitVR ? ElementEncoding.implicitLittleEndian : encoding
            let lengthAt = try writeHeader(element.tag, vr: vr, encoding: encoding)
            let start = output.count
            for item in items { try writeItem(item, encoding: inner) }
            if element.hasUndefinedLength || vr == .UN {
                writeDelimiter(.sequenceDelimitationItem, encoding: inner)
                patchLength(at: lengthAt, to: undefinedLength, encoding: encoding)
            } else {
                try patchLength(at: lengthAt, count: output.count - start, tag: element.tag, encoding: encoding)
            }
        case .encapsulated(let pixels):
            let vr: VR = element.vr.hasLongExplicitLength ? element.vr : .OB
            let lengthAt = try writeHeader(element.tag, vr: vr, encoding: encoding)
            patchLength(at: lengthAt, to: undefinedLength, encoding: encoding)
            // Item tags and lengths follow the syntax; the offset table is a list of UL (§A.4).
            var table = pixels.basicOffsetTable
            if encoding.isBigEndian { swapWordBytes(&table, vr: .UL) }
            try writeFragment(table, encoding: encoding, tag: element.tag)
            for fragment in pixels.fragments {
                guard case .bytes(let bytes) = fragment else { throw DICOMError(.bulkDataNotLoaded(element.tag)) }
                try writeFragment(bytes, encoding: encoding, tag: element.tag)
            }
            writeDelimiter(.sequenceDelimitationItem, encoding: encoding)
        case .bulkData:
            throw DICOMError(.bulkDataNotLoaded(element.tag))
        }
    }

    private mutating func writeValue(_ value: [UInt8], of element: DataElement, encoding: ElementEncoding) throws {
        var bytes = value
        if bytes.count % 2 == 1 { bytes.append(element.vr.paddingByte) }
        var vr = element.vr
        if encoding.isExplicitVR && !vr.hasLongExplicitLength && bytes.count > 0xFFFE { vr = .UN }
        if encoding.isBigEndian { swapWordBytes(&bytes, vr: vr) }
        let lengthAt = try writeHeader(element.tag, vr: vr, encoding: encoding)
        try patchLength(at: lengthAt, count: bytes.count, tag: element.tag, encoding: encoding)
        output.append(contentsOf: bytes)
    }

    private mutating func writeItem(_ item: SequenceItem, encoding: ElementEncoding) throws {
        appendTag(.item, encoding: encoding)
        let lengthAt = LengthField(offset: output.count, isShort: false)
        appendUInt32(0, encoding: encoding)
        let start = output.count
        try write(item.dataSet, encoding: encoding)
        if item.hasUndefinedLength {
            writeDelimiter(.itemDelimitationItem, encoding: encoding)
            patchLength(at: lengthAt, to: undefinedLength, encoding: encoding)
        } else {
            try patchLength(at: lengthAt, count: output.count - start, tag: .item, encoding: encoding)
        }
    }

    private mutating func writeFragment(_ bytes: [UInt8], encoding: ElementEncoding, tag: Tag) throws {
        // An odd-length fragment is padded to even length like any value (PS3.5 §A.4).
        let paddedCount = bytes.count + bytes.count % 2
        guard paddedCount < Int(undefinedLength) else { throw DICOMError(.invalidValue(tag, "fragment too long")) }
        appendTag(.item, encoding: encoding)
        appendUInt32(UInt32(paddedCount), encoding: encoding)
        output.append(contentsOf: bytes)
        if bytes.count % 2 == 1 { output.append(0) }
    }

    private mutating func writeDelimiter(_ tag: Tag, encoding: ElementEncoding) {
        appendTag(tag, encoding: encoding)
        appendUInt32(0, encoding: encoding)
    }

    /// Writes tag, VR (explicit syntaxes) and a zero length, to be patched once the value is known.
    private mutating func writeHeader(_ tag: Tag, vr: VR, encoding: ElementEncoding) throws -> LengthField {
        appendTag(tag, encoding: encoding)
        guard encoding.isExplicitVR else {
            defer { appendUInt32(0, encoding: encoding) }
            return LengthField(offset: output.count, isShort: false)
        }
        let code = vr.codeBytes
        output.append(code.0)
        output.append(code.1)
        if vr.hasLongExplicitLength {
            output.append(contentsOf: [0, 0])
            defer { appendUInt32(0, encoding: encoding) }
            return LengthField(offset: output.count, isShort: false)
        }
        defer { output.append(contentsOf: [0, 0]) }
        return LengthField(offset: output.count, isShort: true)
    }

    private struct LengthField {
        let offset: Int
        let isShort: Bool
    }

    private mutating func patchLength(at field: LengthField, count: Int, tag: Tag, encoding: ElementEncoding) throws {
        let limit = field.isShort ? 0xFFFF : Int(undefinedLength) - 1
        guard count <= limit else { throw DICOMError(.invalidValue(tag, "value of \(count) bytes is too long")) }
        if field.isShort {
            store(UInt16(count), at: field.offset, bigEndian: encoding.isBigEndian)
        } else {
            store(UInt32(count), at: field.offset, bigEndian: encoding.isBigEndian)
        }
    }

    private mutating func patchLength(at field: LengthField, to value: UInt32, encoding: ElementEncoding) {
        store(value, at: field.offset, bigEndian: encoding.isBigEndian)
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at offset: Int, bigEndian: Bool) {
        let encoded = bigEndian ? value.bigEndian : value.littleEndian
        output.withUnsafeMutableBytes { $0.storeBytes(of: encoded, toByteOffset: offset, as: T.self) }
    }

    private mutating func appendTag(_ tag: Tag, encoding: ElementEncoding) {
        appendUInt16(tag.group, encoding: encoding)
        appendUInt16(tag.element, encoding: encoding)
    }

    private mutating func appendUInt16(_ value: UInt16, encoding: ElementEncoding) {
        let encoded = encoding.isBigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: encoded) { output.append(contentsOf: $0) }
    }

    private mutating func appendUInt32(_ value: UInt32, encoding: ElementEncoding) {
        let encoded = encoding.isBigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: encoded) { output.append(contentsOf: $0) }
    }
}
