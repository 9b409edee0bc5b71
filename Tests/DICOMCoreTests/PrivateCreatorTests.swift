import Testing
@testable import DICOMCore

@Suite struct PrivateCreatorTests {
    @Test func blocksAreReservedAndReused() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0029, 0x0010), vr: .LO, string: "OTHER VENDOR")
        let first = try dataSet.privateTag(creator: "TANDEM", group: 0x0029, element: 0x01)
        #expect(first == Tag(0x0029, 0x1101))
        #expect(dataSet.string(Tag(0x0029, 0x0011)) == "TANDEM")
        #expect(try dataSet.privateTag(creator: "TANDEM", group: 0x0029, element: 0x02) == Tag(0x0029, 0x1102))
        #expect(try dataSet.privateTag(creator: "OTHER VENDOR", group: 0x0029, element: 0x02) == Tag(0x0029, 0x1002))
        #expect(throws: DICOMError.self) { _ = try dataSet.privateTag(creator: "X", group: 0x0010, element: 1) }
    }

    /// A vendor block (PS3.5 §7.8.1) with values whose VRs no dictionary knows, kept intact
    /// through Implicit VR Little Endian, where the reader cannot know them either.
    static let vendorBlock: [UInt8] = [
        0x19, 0x00, 0x10, 0x00, 0x08, 0x00, 0x00, 0x00, 0x47, 0x45, 0x4D, 0x53, 0x5F, 0x41, 0x43, 0x51, // (0019,0010) "GEMS_ACQ"
        0x19, 0x00, 0x0F, 0x10, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3F,                         // (0019,100F) 1.0f
        0x19, 0x00, 0x10, 0x10, 0x06, 0x00, 0x00, 0x00, 0x41, 0x42, 0x5C, 0x43, 0x44, 0x20,             // (0019,1010) "AB\CD "
    ]

    @Test func vendorBlockRoundTripsInEverySyntax() throws {
        var reader = try DataSetReader(bytes: Self.vendorBlock, transferSyntax: .implicitVRLittleEndian)
        let dataSet = try reader.read()
        #expect(dataSet.map(\.vr) == [.LO, .UN, .UN])
        #expect(try DataSetWriter.encode(dataSet, transferSyntax: .implicitVRLittleEndian) == Self.vendorBlock)
        for syntax in TransferSyntax.uncompressed {
            let encoded = try DataSetWriter.encode(dataSet, transferSyntax: syntax)
            var again = try DataSetReader(bytes: encoded, transferSyntax: syntax)
            #expect(try again.read() == dataSet)
        }
    }
}
