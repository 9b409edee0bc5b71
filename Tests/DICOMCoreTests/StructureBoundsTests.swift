import Testing
@testable import DICOMCore

/// Element count, item count and loaded bytes are bounded per data set; with `retainedTags`
/// only what the caller needs is kept, the rest verified and dropped.
@Suite struct StructureBoundsTests {
    /// Explicit VR Little Endian element with a 16-bit length.
    static func element(_ group: UInt16, _ element: UInt16, _ vr: String, _ value: [UInt8]) -> [UInt8] {
        le16(group) + le16(element) + Array(vr.utf8) + le16(UInt16(value.count)) + value
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    /// (0040,A730) SQ of undefined length holding `count` empty items of defined length.
    static func emptyItems(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x40, 0x00, 0x30, 0xA7] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        for _ in 0..<count { bytes += [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0] }
        return bytes + [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
    }

    static func read(_ bytes: [UInt8], _ options: ReadOptions) throws -> DataSet {
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .explicitVRLittleEndian, options: options)
        return try reader.read()
    }

    @Test func tooManyElementsIsAnError() throws {
        let bytes = (0..<11).flatMap { Self.element(0x0011, 0x1000 + UInt16($0), "LO", []) }
        _ = try Self.read(bytes, ReadOptions(maximumElementCount: 11))
        #expect(throws: DICOMError(.structureLimitExceeded("data elements", limit: 10), offset: 80)) {
            try Self.read(bytes, ReadOptions(maximumElementCount: 10))
        }
    }

    @Test func tooManyItemsIsAnError() throws {
        _ = try Self.read(Self.emptyItems(5), ReadOptions(maximumItemCount: 5))
        #expect(throws: DICOMError(.structureLimitExceeded("items", limit: 4), offset: 12 + 4 * 8)) {
            try Self.read(Self.emptyItems(5), ReadOptions(maximumItemCount: 4))
        }
    }

    @Test func loadedBytesAreBounded() throws {
        let bytes = Self.element(0x0010, 0x0010, "PN", Array("DOE^JOHN".utf8)) + Self.element(0x0010, 0x0020, "LO", Array("12345678".utf8))
        _ = try Self.read(bytes, ReadOptions(maximumLoadedBytes: 16))
        #expect(throws: DICOMError(.structureLimitExceeded("loaded value bytes", limit: 15), offset: 16)) {
            try Self.read(bytes, ReadOptions(maximumLoadedBytes: 15))
        }
    }

    @Test func onlyRetainedTagsAreKeptButEverythingIsChecked() throws {
        let patientID = Self.element(0x0010, 0x0020, "LO", Array("ID42".utf8))
        let bytes = Self.element(0x0010, 0x0010, "PN", Array("DOE^JOHN".utf8)) + patientID + Self.emptyItems(3)
        let dataSet = try Self.read(bytes, ReadOptions(retainedTags: [.patientID]))
        #expect(dataSet.elements.map(\.tag) == [.patientID])
        #expect(dataSet.string(.patientID) == "ID42")
        // A dropped element is still parsed: a broken one is an error all the same.
        let broken = patientID + [0x40, 0x00, 0x30, 0xA7] + Array("SQ".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]
        #expect(throws: DICOMError.self) { try Self.read(broken, ReadOptions(retainedTags: [.patientID])) }
    }
}
