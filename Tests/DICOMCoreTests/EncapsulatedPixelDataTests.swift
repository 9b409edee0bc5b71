import Testing
@testable import DICOMCore

@Suite struct EncapsulatedPixelDataTests {
    /// Encapsulated pixel data (PS3.5 §A.4), two frames in one fragment each.
    static let fixture: [UInt8] = [
        0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // (7FE0,0010) OB undefined length
        0xFE, 0xFF, 0x00, 0xE0, 0x08, 0x00, 0x00, 0x00,                         //   Basic Offset Table item, len 8
        0x00, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00,                         //     offsets 0, 12
        0xFE, 0xFF, 0x00, 0xE0, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xD8, 0xFF, 0xD9, //   fragment 1, len 4
        0xFE, 0xFF, 0x00, 0xE0, 0x02, 0x00, 0x00, 0x00, 0xAB, 0xCD,             //   fragment 2, len 2
        0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,                         // sequence delimitation item
    ]

    @Test func fragmentsAreCarriedThroughUntouched() throws {
        var reader = try DataSetReader(bytes: Self.fixture, transferSyntax: .jpegBaseline)
        let dataSet = try reader.read()
        let element = try #require(dataSet[.pixelData])
        #expect(element.value == .encapsulated(EncapsulatedPixelData(
            basicOffsetTable: [0, 0, 0, 0, 0x0C, 0, 0, 0],
            fragments: [.bytes([0xFF, 0xD8, 0xFF, 0xD9]), .bytes([0xAB, 0xCD])])))
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .jpegBaseline) == Self.fixture)
    }

    @Test func part10WithUnknownEncapsulatedSyntaxRoundTrips() throws {
        var reader = try DataSetReader(bytes: Self.fixture, transferSyntax: .jpegBaseline)
        var dataSet = try reader.read()
        try dataSet.set(Tag(0x0008, 0x0016), vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "2.25.42")
        let syntax = TransferSyntax(uid: "1.2.840.10008.1.2.4.999")
        #expect(syntax.isEncapsulated && syntax.isExplicitVR && !syntax.isBigEndian)
        let bytes = try DICOMFile(dataSet: dataSet, transferSyntax: syntax).encoded()
        let file = try DICOMFile(bytes: bytes)
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.999")
        #expect(file.dataSet == dataSet)
        #expect(try file.encoded() == bytes)
    }

    /// Found by fuzzing: an odd-length fragment was padded without counting the pad in its length.
    @Test func oddLengthFragmentIsPaddedAndCounted() throws {
        let pixels = EncapsulatedPixelData(fragments: [.bytes([0xFF, 0xD8, 0xD9])])
        let dataSet = DataSet([DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels), hasUndefinedLength: true)])
        let encoded = try DataSetWriter.encode(dataSet, transferSyntax: .jpegBaseline)
        #expect(Array(encoded[20...]) == [
            0xFE, 0xFF, 0x00, 0xE0, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xD8, 0xD9, 0x00, // fragment, len 4, NUL pad
            0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00,                         // sequence delimitation item
        ])
        var reader = try DataSetReader(bytes: encoded, transferSyntax: .jpegBaseline)
        guard case .encapsulated(let read) = try reader.read()[.pixelData]?.value else {
            Issue.record("no encapsulated pixel data")
            return
        }
        #expect(read.fragments == [.bytes([0xFF, 0xD8, 0xD9, 0x00])])
    }

    @Test func missingBasicOffsetTableItemIsAnError() {
        let bytes: [UInt8] = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00]   // delimiter straight away
        #expect(throws: DICOMError(.unexpectedTag(.sequenceDelimitationItem), offset: 12)) {
            var reader = try DataSetReader(bytes: bytes, transferSyntax: .jpegBaseline)
            _ = try reader.read()
        }
    }

    @Test func fragmentOfUndefinedLengthIsAnError() {
        let bytes: [UInt8] = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x00, 0x00, 0x00,   // empty offset table
                              0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]   // fragment, undefined length
        #expect(throws: DICOMError(.undefinedLengthNotAllowed(.item), offset: 20)) {
            var reader = try DataSetReader(bytes: bytes, transferSyntax: .jpegBaseline)
            _ = try reader.read()
        }
    }
}
