import Testing
@testable import DICOMCore

@Suite struct ExplicitBigEndianTests {
    /// Explicit VR Big Endian (PS3.5 §7.3, Annex A.3): tags, lengths and binary words big-endian.
    static let fixture: [UInt8] = [
        0x00, 0x08, 0x00, 0x60, 0x43, 0x53, 0x00, 0x02, 0x4D, 0x52,                         // (0008,0060) CS "MR"
        0x00, 0x18, 0x90, 0x87, 0x46, 0x44, 0x00, 0x08,                                     // (0018,9087) FD len 8
        0x40, 0x8F, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,                                     //   1000.0
        0x00, 0x20, 0x90, 0x57, 0x55, 0x4C, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03,             // (0020,9057) UL 010203H
        0x00, 0x28, 0x00, 0x09, 0x41, 0x54, 0x00, 0x04, 0x00, 0x18, 0x10, 0x63,             // (0028,0009) AT (0018,1063)
        0x00, 0x28, 0x01, 0x06, 0x53, 0x53, 0x00, 0x02, 0xFF, 0xFE,                         // (0028,0106) SS -2
        0x7F, 0xE0, 0x00, 0x10, 0x4F, 0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,             // (7FE0,0010) OW len 4
        0x01, 0x02, 0x03, 0x04,                                                             //   words 0102H 0304H
    ]

    @Test func decodesAndHoldsValuesLittleEndian() throws {
        var reader = try DataSetReader(bytes: Self.fixture, transferSyntax: .explicitVRBigEndian)
        let dataSet = try reader.read()
        #expect(dataSet.string(Tag(0x0008, 0x0060)) == "MR")
        #expect(dataSet.double(Tag(0x0018, 0x9087)) == 1000.0)
        #expect(dataSet.uint32(Tag(0x0020, 0x9057)) == 0x010203)
        #expect(dataSet.int(Tag(0x0028, 0x0106)) == -2)
        #expect(dataSet.tags(Tag(0x0028, 0x0009)) == [Tag(0x0018, 0x1063)])
        #expect(dataSet.uint16s(.pixelData) == [0x0102, 0x0304])
        #expect(dataSet.bytes(.pixelData) == [0x02, 0x01, 0x04, 0x03])
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRBigEndian) == Self.fixture)
    }

    @Test func sequenceDelimitersAreBigEndianToo() throws {
        var item = DataSet()
        try item.set(Tag(0x0028, 0x0010), vr: .US, uint16: 3)
        var dataSet = DataSet()
        dataSet.set(Tag(0x0008, 0x1140), items: [item])
        let encoded = try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRBigEndian)
        #expect(encoded == [
            0x00, 0x08, 0x11, 0x40, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // SQ undefined length
            0xFF, 0xFE, 0xE0, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,                         //   item undefined length
            0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02, 0x00, 0x03,             //     (0028,0010) US 3
            0xFF, 0xFE, 0xE0, 0x0D, 0x00, 0x00, 0x00, 0x00,                         //   item delimitation
            0xFF, 0xFE, 0xE0, 0xDD, 0x00, 0x00, 0x00, 0x00,                         // sequence delimitation
        ])
        var reader = try DataSetReader(bytes: encoded, transferSyntax: .explicitVRBigEndian)
        #expect(try reader.read() == dataSet)
    }
}
