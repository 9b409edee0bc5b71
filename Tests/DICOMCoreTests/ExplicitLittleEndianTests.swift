import Testing
@testable import DICOMCore

@Suite struct ExplicitLittleEndianTests {
    /// Four elements in Explicit VR Little Endian (PS3.5 §7.1.2).
    static let fixture: [UInt8] = [
        0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x4D, 0x52,         // (0008,0060) CS len 2 "MR"
        0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x06, 0x00,                     // (0010,0010) PN len 6
        0x44, 0x6F, 0x65, 0x5E, 0x4A, 0x20,                                 //   "Doe^J "
        0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00, 0x00, 0x02,         // (0028,0010) US len 2 = 512
        0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57, 0x00, 0x00,                     // (7FE0,0010) OW, 2 reserved
        0x04, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,                     //   len 4, words 0201H 0403H
    ]

    @Test func decodesFixture() throws {
        var reader = try DataSetReader(bytes: Self.fixture, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        #expect(dataSet.count == 4)
        #expect(dataSet.string(Tag(0x0008, 0x0060)) == "MR")
        #expect(dataSet.string(Tag(0x0010, 0x0010)) == "Doe^J")
        #expect(dataSet.uint16(Tag(0x0028, 0x0010)) == 512)
        #expect(dataSet[.pixelData]?.vr == .OW)
        #expect(dataSet.uint16s(.pixelData) == [0x0201, 0x0403])
    }

    @Test func reencodesFixtureByteForByte() throws {
        var reader = try DataSetReader(bytes: Self.fixture, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian) == Self.fixture)
    }

    @Test func buildsTheFixtureWithSetters() throws {
        var dataSet = DataSet()
        try dataSet.set(.pixelData, vr: .OW, bytes: [0x01, 0x02, 0x03, 0x04])
        try dataSet.set(Tag(0x0028, 0x0010), vr: .US, uint16: 512)
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "Doe^J")
        try dataSet.set(Tag(0x0008, 0x0060), vr: .CS, string: "MR")
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian) == Self.fixture)
    }

    @Test func unknownVRIsReadWithLongLengthAsUN() throws {
        let bytes: [UInt8] = [
            0x09, 0x00, 0x10, 0x10, 0x58, 0x58, 0x00, 0x00,   // (0009,1010) VR "XX", 2 reserved
            0x02, 0x00, 0x00, 0x00, 0xAB, 0xCD,               //   len 2 (32-bit), value
        ]
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .explicitVRLittleEndian)
        let element = try #require(try reader.read()[Tag(0x0009, 0x1010)])
        #expect(element.vr == .UN && element.bytes == [0xAB, 0xCD])
    }

    @Test func longValueOfShortVRIsWrittenAsUN() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0060), vr: .LO, string: String(repeating: "A", count: 70_000))
        let encoded = try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian)
        #expect(Array(encoded[4..<6]) == Array("UN".utf8))
        var reader = try DataSetReader(bytes: encoded, transferSyntax: .explicitVRLittleEndian)
        #expect(try reader.read()[Tag(0x0008, 0x0060)]?.bytes == dataSet[Tag(0x0008, 0x0060)]?.bytes)
    }

    @Test func oddLengthValueIsKeptOnReadAndPaddedOnWrite() throws {
        let bytes: [UInt8] = [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43]  // (0010,0020) LO len 3 "ABC"
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        #expect(dataSet.bytes(Tag(0x0010, 0x0020)) == [0x41, 0x42, 0x43])
        let written = try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian)
        #expect(written == [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x04, 0x00, 0x41, 0x42, 0x43, 0x20])
    }
}
