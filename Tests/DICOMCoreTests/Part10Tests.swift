import Foundation
import Testing
@testable import DICOMCore

@Suite struct Part10Tests {
    static func sampleDataSet() throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0016), vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "2.25.1234567")
        try dataSet.set(Tag(0x0008, 0x0060), vr: .CS, string: "OT")
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "Doe^Jane")
        try dataSet.set(Tag(0x0010, 0x0020), vr: .LO, string: "PID-1")
        try dataSet.set(Tag(0x0028, 0x0010), vr: .US, uint16: 2)
        try dataSet.set(Tag(0x0028, 0x0011), vr: .US, uint16: 2)
        try dataSet.set(.pixelData, vr: .OW, bytes: [1, 0, 2, 0, 3, 0, 4, 0])
        return dataSet
    }

    @Test func metaHeaderLayout() throws {
        let header = try DICOMFile.metaHeader(sopClassUID: "1.2.3", sopInstanceUID: "1.2.3.4",
                                              transferSyntax: .explicitVRLittleEndian,
                                              sourceApplicationEntityTitle: "SITE1")
        #expect(header[0..<128].allSatisfy { $0 == 0 })
        #expect(Array(header[128..<132]) == Array("DICM".utf8))
        // (0002,0000) UL len 4, then the group length counts every byte after it.
        #expect(Array(header[132..<140]) == [0x02, 0x00, 0x00, 0x00, 0x55, 0x4C, 0x04, 0x00])
        let groupLength = header[140..<144].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(groupLength == header.count - 144)
        let file = try DICOMFile(bytes: header)
        #expect(file.mediaStorageSOPClassUID == "1.2.3")
        #expect(file.mediaStorageSOPInstanceUID == "1.2.3.4")
        #expect(file.sourceApplicationEntityTitle == "SITE1")
        #expect(file.fileMetaInformation.string(Tag(0x0002, 0x0012)) == Implementation.classUID)
        #expect(file.fileMetaInformation.string(Tag(0x0002, 0x0013)) == "TANDEM_010")
        #expect(file.dataSet.isEmpty)
    }

    @Test(arguments: TransferSyntax.uncompressed)
    func roundTripsByteForByte(syntax: TransferSyntax) throws {
        let encoded = try DICOMFile(dataSet: Self.sampleDataSet(), transferSyntax: syntax).encoded()
        let file = try DICOMFile(bytes: encoded)
        #expect(file.transferSyntax == syntax)
        #expect(file.dataSet == (try Self.sampleDataSet()))
        #expect(try file.encoded() == encoded)
    }

    @Test func receivedDataSetBytesAreStoredUnchanged() throws {
        let dataSetBytes = try DataSetWriter.encode(Self.sampleDataSet(), transferSyntax: .implicitVRLittleEndian)
        let header = try DICOMFile.metaHeader(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: "2.25.1234567",
                                              transferSyntax: .implicitVRLittleEndian, sourceApplicationEntityTitle: nil)
        let file = try DICOMFile(bytes: header + dataSetBytes)
        #expect(file.dataSetOffset == header.count)
        #expect(file.dataSet == (try Self.sampleDataSet()))
    }

    /// Found by fuzzing: a data set whose first elements have groups 0001 or 0002 must not be
    /// taken for File Meta Information; the group length (0002,0000) says where that ends.
    @Test func dataSetElementsOfLowGroupsStayInTheDataSet() throws {
        var dataSet = try Self.sampleDataSet()
        dataSet.insert(DataElement(tag: Tag(0x0001, 0x0000), vr: .UL, value: .bytes([])))
        try dataSet.set(Tag(0x0002, 0x0100), vr: .UI, string: "1.2.3")
        let encoded = try DICOMFile(dataSet: dataSet, transferSyntax: .implicitVRLittleEndian).encoded()
        let file = try DICOMFile(bytes: encoded)
        #expect(file.dataSet == dataSet)
        #expect(!file.fileMetaInformation.contains(Tag(0x0002, 0x0100)))
        #expect(try file.encoded() == encoded)
    }

    @Test(arguments: [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian])
    func bareDataSetSyntaxIsSniffed(syntax: TransferSyntax) throws {
        let bytes = try DataSetWriter.encode(Self.sampleDataSet(), transferSyntax: syntax)
        let file = try DICOMFile(bytes: bytes)
        #expect(file.transferSyntax == syntax)
        #expect(file.fileMetaInformation.isEmpty && file.preamble == nil)
        #expect(file.dataSet == (try Self.sampleDataSet()))
    }

    @Test func implementationClassUIDIsDerivedFromTheUUID() {
        // 5f3c2a8e-7b14-4d0a-9c61-2e8f4b7a1d93 as one 128-bit number, printed in decimal.
        var words: [UInt32] = [0x5f3c2a8e, 0x7b144d0a, 0x9c612e8f, 0x4b7a1d93]
        var digits = ""
        while words.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in words.indices {
                let current = remainder << 32 | UInt64(words[index])
                words[index] = UInt32(current / 10)
                remainder = current % 10
            }
            digits = String(remainder) + digits
        }
        #expect(Implementation.classUID == "2.25." + digits)
        #expect(Implementation.classUID.count <= 64)
    }
}
