import Testing
@testable import DICOMCore

@Suite struct DataSetValueTests {
    @Test func multiValuedTextIsSplitAndTrimmed() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0008), vr: .CS, strings: ["ORIGINAL", "PRIMARY", "AXIAL"])
        #expect(dataSet.bytes(Tag(0x0008, 0x0008)) == Array("ORIGINAL\\PRIMARY\\AXIAL".utf8))   // 22 bytes, even
        #expect(dataSet.strings(Tag(0x0008, 0x0008)) == ["ORIGINAL", "PRIMARY", "AXIAL"])
        #expect(dataSet.string(Tag(0x0008, 0x0008)) == "ORIGINAL\\PRIMARY\\AXIAL")
        try dataSet.set(Tag(0x0008, 0x0008), vr: .CS, strings: ["DERIVED", "SECONDARY"])
        #expect(dataSet.bytes(Tag(0x0008, 0x0008)) == Array("DERIVED\\SECONDARY ".utf8))   // 17 bytes, space-padded
        #expect(dataSet.strings(Tag(0x0008, 0x0008)) == ["DERIVED", "SECONDARY"])
        try dataSet.set(Tag(0x0020, 0x0032), vr: .DS, string: " 1.5\\-2 \\3e2")
        #expect(dataSet.doubles(Tag(0x0020, 0x0032)) == [1.5, -2, 300])
    }

    @Test func uidPaddingIsNUL() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "1.23")
        #expect(dataSet.bytes(Tag(0x0008, 0x0018)) == [0x31, 0x2E, 0x32, 0x33])
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "1.2")
        #expect(dataSet.bytes(Tag(0x0008, 0x0018)) == [0x31, 0x2E, 0x32, 0x00])
        #expect(dataSet.string(Tag(0x0008, 0x0018)) == "1.2")
    }

    @Test func integerSettersCheckRangeAndVR() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0028, 0x0106), vr: .SS, int: -5)
        #expect(dataSet.int(Tag(0x0028, 0x0106)) == -5)
        try dataSet.set(Tag(0x0020, 0x0013), vr: .IS, int: 42)
        #expect(dataSet.int(Tag(0x0020, 0x0013)) == 42)
        try dataSet.set(Tag(0x0018, 0x9219), vr: .SV, ints: [Int(Int64.min), 7])
        #expect(dataSet.ints(Tag(0x0018, 0x9219)) == [Int(Int64.min), 7])
        #expect(throws: DICOMError(.invalidValue(Tag(0x0028, 0x0010), "70000 does not fit US"))) {
            try dataSet.set(Tag(0x0028, 0x0010), vr: .US, int: 70_000)
        }
        #expect(throws: DICOMError.self) { try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, int: 1) }
        #expect(throws: DICOMError.self) { try dataSet.set(Tag(0x0008, 0x0008), vr: .CS, strings: ["A\\B"]) }
        #expect(dataSet.uint16(Tag(0x0028, 0x0106)) == nil)   // SS is not read as unsigned
    }

    @Test func floatingPointValues() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0018, 0x9087), vr: .FD, double: 1000.25)
        try dataSet.set(Tag(0x0018, 0x0050), vr: .DS, double: 2.5)
        try dataSet.set(Tag(0x0028, 0x1053), vr: .DS, double: 1)
        try dataSet.set(Tag(0x0029, 0x1001), vr: .FL, doubles: [0.5, -1])
        #expect(dataSet.double(Tag(0x0018, 0x9087)) == 1000.25)
        #expect(dataSet.string(Tag(0x0018, 0x0050)) == "2.5")
        #expect(dataSet.string(Tag(0x0028, 0x1053)) == "1")
        #expect(dataSet.doubles(Tag(0x0029, 0x1001)) == [0.5, -1])
    }

    @Test func elementsStayInTagOrder() throws {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0020, 0x0013), vr: .IS, int: 1)
        try dataSet.set(Tag(0x0008, 0x0060), vr: .CS, string: "CT")
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "A")
        try dataSet.set(Tag(0x0008, 0x0060), vr: .CS, string: "MR")
        #expect(dataSet.map(\.tag) == [Tag(0x0008, 0x0060), Tag(0x0010, 0x0010), Tag(0x0020, 0x0013)])
        #expect(dataSet.string(Tag(0x0008, 0x0060)) == "MR")
        dataSet.remove(Tag(0x0010, 0x0010))
        #expect(dataSet.count == 2 && !dataSet.contains(Tag(0x0010, 0x0010)))
    }

    @Test func textThatTheCharacterSetCannotHoldIsRejected() {
        var dataSet = DataSet()
        #expect(throws: DICOMError.self) { try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "Müller") }
    }
}
