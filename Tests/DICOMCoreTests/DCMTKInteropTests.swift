import Foundation
import Testing
@testable import DICOMCore

/// Files from our writer are checked by DCMTK, an independent implementation: `dcmdump` must
/// read them without warnings, and `dcmconv` conversions must read back with equal values.
@Suite
struct DCMTKInteropTests {
    /// A data set exercising the awkward parts: text with padding, binary VRs of every word size,
    /// nested sequences of both length kinds, a private creator block and native pixel data.
    static func richDataSet() throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0005), vr: .CS, string: "ISO_IR 192")
        try dataSet.set(Tag(0x0008, 0x0016), vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "2.25.98765432109876543210")
        try dataSet.set(Tag(0x0008, 0x0020), vr: .DA, string: "20240131")
        try dataSet.set(Tag(0x0008, 0x0060), vr: .CS, string: "OT")
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "Müller^Jürgen")
        try dataSet.set(Tag(0x0010, 0x0020), vr: .LO, string: "PID-7")
        try dataSet.set(Tag(0x0018, 0x0050), vr: .DS, double: 2.5)
        try dataSet.set(Tag(0x0020, 0x0013), vr: .IS, int: 12)
        try dataSet.set(Tag(0x0020, 0x0032), vr: .DS, doubles: [-125.5, 0, 42])
        try dataSet.set(Tag(0x0018, 0x9087), vr: .FD, double: 1000.25)       // Diffusion b-value
        try dataSet.set(Tag(0x0028, 0x1052), vr: .DS, double: -1024)
        try dataSet.set(Tag(0x0028, 0x0002), vr: .US, uint16: 1)
        try dataSet.set(Tag(0x0028, 0x0004), vr: .CS, string: "MONOCHROME2")
        try dataSet.set(Tag(0x0028, 0x0010), vr: .US, uint16: 2)
        try dataSet.set(Tag(0x0028, 0x0011), vr: .US, uint16: 2)
        try dataSet.set(Tag(0x0028, 0x0100), vr: .US, uint16: 16)
        try dataSet.set(Tag(0x0028, 0x0101), vr: .US, uint16: 12)
        try dataSet.set(Tag(0x0028, 0x0102), vr: .US, uint16: 11)
        try dataSet.set(Tag(0x0028, 0x0103), vr: .US, uint16: 0)
        var code = DataSet()
        try code.set(Tag(0x0008, 0x0100), vr: .SH, string: "T-A0100")
        try code.set(Tag(0x0008, 0x0102), vr: .SH, string: "SRT")
        try code.set(Tag(0x0008, 0x0104), vr: .LO, string: "Brain")
        dataSet.set(Tag(0x0008, 0x2218), items: [code], undefinedLength: false)   // Anatomic Region Sequence
        var reference = DataSet()
        try reference.set(Tag(0x0008, 0x1150), vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try reference.set(Tag(0x0008, 0x1155), vr: .UI, string: "2.25.1")
        reference.set(Tag(0x0008, 0x2218), items: [code], undefinedLength: true)
        dataSet.set(Tag(0x0008, 0x1140), items: [reference, reference], undefinedLength: true)
        let creator = try dataSet.privateTag(creator: "TANDEM TEST", group: 0x0029, element: 0x01)
        try dataSet.set(creator, vr: .UL, uint32: 0xDEADBEEF)
        try dataSet.set(Tag(0x0029, 0x1002), vr: .FL, doubles: [1.5, -2.25])
        try dataSet.set(Tag(0x0029, 0x1003), vr: .SS, ints: [-2, 3])
        try dataSet.set(.pixelData, vr: .OW, bytes: [0x01, 0x00, 0xFF, 0x0F, 0x00, 0x08, 0x34, 0x02])
        return dataSet
    }

    @Test(arguments: TransferSyntax.uncompressed)
    func dcmdumpReadsOurFilesCleanly(syntax: TransferSyntax) throws {
        try withCodecTemporaryDirectory { directory in
            let path = directory + "/ours.dcm"
            try writeTestFile(DICOMFile(dataSet: Self.richDataSet(), transferSyntax: syntax,
                                    sourceApplicationEntityTitle: "TANDEM").encoded(), to: path)
            let result = try runProcess("/usr/bin/dcmdump", [path])
            #expect(result.status == 0)
            let problems = result.stderr.split(separator: "\n").filter { $0.hasPrefix("W:") || $0.hasPrefix("E:") }
            #expect(problems.isEmpty, "\(problems)")
            #expect(result.stdout.contains("Müller^Jürgen"))
            #expect(result.stdout.contains("TANDEM_010"))
        }
    }

    @Test(arguments: [("+ti", TransferSyntax.implicitVRLittleEndian), ("+te", .explicitVRLittleEndian),
                      ("+tb", .explicitVRBigEndian), ("+td", .deflatedExplicitVRLittleEndian)])
    func dcmconvConversionsReadBackEqual(option: String, syntax: TransferSyntax) throws {
        try withCodecTemporaryDirectory { directory in
            let source = directory + "/source.dcm"
            let converted = directory + "/converted.dcm"
            let original = try Self.richDataSet()
            try writeTestFile(DICOMFile(dataSet: original, transferSyntax: .explicitVRLittleEndian).encoded(), to: source)
            let result = try runProcess("/usr/bin/dcmconv", [option, source, converted])
            #expect(result.status == 0, "\(result.stderr)")
            let file = try DICOMFile(path: converted)
            #expect(file.transferSyntax == syntax)
            try expectSameValues(file.dataSet, original)
        }
    }

    @Test(arguments: [("+ti", TransferSyntax.implicitVRLittleEndian), ("+tb", .explicitVRBigEndian),
                      ("+td", .deflatedExplicitVRLittleEndian)])
    func dcmconvOutputRoundTripsThroughOurWriter(option: String, syntax: TransferSyntax) throws {
        try withCodecTemporaryDirectory { directory in
            let source = directory + "/source.dcm"
            let converted = directory + "/converted.dcm"
            try writeTestFile(DICOMFile(dataSet: Self.richDataSet(), transferSyntax: .explicitVRLittleEndian).encoded(),
                          to: source)
            #expect(try runProcess("/usr/bin/dcmconv", [option, source, converted]).status == 0)
            let bytes = try readTestFile(converted)
            let file = try DICOMFile(bytes: bytes)
            // Deflate output depends on the compressor; the others must come back byte for byte.
            if syntax.isDeflated {
                let again = try DICOMFile(bytes: file.encoded())
                #expect(again.dataSet == file.dataSet)
            } else {
                #expect(try file.encoded() == bytes)
            }
        }
    }
}

/// Element-by-element equality of values, recursing into sequences. VRs may differ only where an
/// implicit syntax lost them (then ours reads UN or the dictionary VR), never the value bytes.
func expectSameValues(_ actual: DataSet, _ expected: DataSet, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(actual.map(\.tag) == expected.map(\.tag), sourceLocation: sourceLocation)
    for element in expected {
        let other = try #require(actual[element.tag], sourceLocation: sourceLocation)
        switch (element.value, other.value) {
        case (.sequence(let lhs), .sequence(let rhs)):
            #expect(lhs.count == rhs.count, sourceLocation: sourceLocation)
            for (left, right) in zip(lhs, rhs) { try expectSameValues(right.dataSet, left.dataSet, sourceLocation: sourceLocation) }
        default:
            #expect(other.value == element.value, "\(element.tag)", sourceLocation: sourceLocation)
        }
    }
}
