import Testing
@testable import DICOMCore

@Suite struct SequenceTests {
    /// (0008,1140) Referenced Image Sequence, Explicit VR Little Endian, undefined length, with one
    /// item of undefined length and one of defined length (PS3.5 §7.5.2, Table 7.5-3).
    static let mixedLengths: [UInt8] = [
        0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // (0008,1140) SQ, undefined length
        0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,                         //   item, undefined length
        0x08, 0x00, 0x55, 0x11, 0x55, 0x49, 0x04, 0x00, 0x31, 0x2E, 0x32, 0x00, //     (0008,1155) UI "1.2\0"
        0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00,                         //   item delimitation item
        0xFE, 0xFF, 0x00, 0xE0, 0x0C, 0x00, 0x00, 0x00,                         //   item, length 12
        0x08, 0x00, 0x55, 0x11, 0x55, 0x49, 0x04, 0x00, 0x31, 0x2E, 0x33, 0x00, //     (0008,1155) UI "1.3\0"
        0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,                         // sequence delimitation item
        0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x02, 0x00, 0x58, 0x20,             // (0010,0010) PN "X "
    ]

    @Test func readsItemsOfBothLengthKinds() throws {
        var reader = try DataSetReader(bytes: Self.mixedLengths, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        let element = try #require(dataSet[Tag(0x0008, 0x1140)])
        #expect(element.hasUndefinedLength)
        #expect(element.items?.map(\.hasUndefinedLength) == [true, false])
        #expect(dataSet.items(Tag(0x0008, 0x1140))?.map { $0.string(Tag(0x0008, 0x1155)) } == ["1.2", "1.3"])
        #expect(dataSet.string(Tag(0x0010, 0x0010)) == "X")
    }

    @Test func roundTripsLengthKindsExactly() throws {
        var reader = try DataSetReader(bytes: Self.mixedLengths, transferSyntax: .explicitVRLittleEndian)
        #expect(try DataSetWriter.encode(reader.read(), transferSyntax: .explicitVRLittleEndian) == Self.mixedLengths)
    }

    @Test(arguments: TransferSyntax.uncompressed)
    func nestedDefinedLengthSequencesRoundTrip(syntax: TransferSyntax) throws {
        var inner = DataSet()
        try inner.set(Tag(0x0008, 0x0100), vr: .SH, string: "CODE")
        var middle = DataSet()
        middle.set(Tag(0x0040, 0xA168), items: [inner, inner], undefinedLength: false)
        try middle.set(Tag(0x0040, 0xA160), vr: .UT, string: "text\\with backslash")
        var outer = DataSet()
        outer.set(Tag(0x0040, 0xA730), items: [middle], undefinedLength: false)
        try outer.set(Tag(0x0028, 0x0010), vr: .US, uint16: 7)
        let encoded = try DataSetWriter.encode(outer, transferSyntax: syntax)
        var reader = try DataSetReader(bytes: encoded, transferSyntax: syntax)
        let decoded = try reader.read()
        #expect(decoded == outer)
        #expect(try DataSetWriter.encode(decoded, transferSyntax: syntax) == encoded)
        let item = try #require(decoded.items(Tag(0x0040, 0xA730))?.first)
        #expect(item.strings(Tag(0x0040, 0xA160)) == ["text\\with backslash"])
    }

    @Test func itemsInheritSpecificCharacterSet() throws {
        var item = DataSet()
        try item.set(Tag(0x0010, 0x0010), vr: .PN, string: "ASCII^Only")
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0005), vr: .CS, string: "ISO_IR 192")
        dataSet.set(Tag(0x0008, 0x1140), items: [item])
        let inherited = try #require(dataSet.items(Tag(0x0008, 0x1140))?.first)
        #expect(inherited.specificCharacterSet.terms == ["ISO_IR 192"])
        #expect(dataSet[Tag(0x0008, 0x1140)]?.items?.first?.dataSet.specificCharacterSet.terms == [])
    }

    /// A private sequence an explicit VR writer did not know, written as UN of undefined length;
    /// its content is Implicit VR Little Endian (PS3.5 §6.2.2, CP-246).
    static let unknownSequenceAsUN: [UInt8] = [
        0x09, 0x00, 0x10, 0x00, 0x4C, 0x4F, 0x04, 0x00, 0x41, 0x43, 0x4D, 0x45, // (0009,0010) LO "ACME"
        0x09, 0x00, 0x01, 0x10, 0x55, 0x4E, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // (0009,1001) UN, undefined length
        0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,                         //   item, undefined length
        0x10, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0x49, 0x44,             //     (0010,0020) implicit, len 2 "ID"
        0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00,                         //   item delimitation item
        0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,                         // sequence delimitation item
    ]

    @Test func unOfUndefinedLengthIsAnImplicitSequence() throws {
        var reader = try DataSetReader(bytes: Self.unknownSequenceAsUN, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        let element = try #require(dataSet[Tag(0x0009, 0x1001)])
        #expect(element.vr == .UN)
        #expect(dataSet.items(element.tag)?.first?.string(Tag(0x0010, 0x0020)) == "ID")
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian) == Self.unknownSequenceAsUN)
    }
}
