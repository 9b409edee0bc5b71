import Testing
@testable import TandemWeb

@Suite("STOW-RS part: File Meta Information")
struct Part10HeaderTests {
    /// One meta element in Explicit VR Little Endian (PS3.10 §7.1): a UI value padded with NUL to
    /// an even length behind a 2-byte length, or OB behind 2 reserved bytes and a 4-byte length.
    static func element(_ element: UInt16, _ vr: String, _ value: [UInt8]) -> [UInt8] {
        let padded = value.count % 2 == 0 ? value : value + [0]
        var bytes: [UInt8] = [0x02, 0x00, UInt8(element & 0xFF), UInt8(element >> 8)] + Array(vr.utf8)
        if vr == "OB" {
            bytes += [0, 0] + withUnsafeBytes(of: UInt32(padded.count).littleEndian, Array.init)
        } else {
            bytes += withUnsafeBytes(of: UInt16(padded.count).littleEndian, Array.init)
        }
        return bytes + padded
    }

    /// (0002,0001) version 00 01, (0002,0002) Secondary Capture, (0002,0003) 1.2.3.4,
    /// (0002,0010) Explicit VR Little Endian; then the data set's first element (0008,0016).
    static let meta = element(0x0001, "OB", [0x00, 0x01]) + element(0x0002, "UI", Array("1.2.840.10008.5.1.4.1.1.7".utf8))
        + element(0x0003, "UI", Array("1.2.3.4".utf8)) + element(0x0010, "UI", Array("1.2.840.10008.1.2.1".utf8))
    static let dataSetStart: [UInt8] = [0x08, 0x00, 0x16, 0x00] + Array("UI".utf8) + [0x02, 0x00] + Array("1\0".utf8)
    static let expected = Part10Header(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: "1.2.3.4",
                                       transferSyntaxUID: "1.2.840.10008.1.2.1", dataSetOffset: 0)

    @Test("preamble, DICM and meta information: the UIDs, and the data set's offset after the meta group")
    func part10File() {
        let file = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Self.meta + Self.dataSetStart
        var expected = Self.expected
        expected.dataSetOffset = 132 + Self.meta.count
        #expect(Part10Header.parse(file) == .header(expected))
    }

    @Test("meta information without preamble and prefix (pydicom's in-memory data sets) is read from offset 0")
    func withoutPreamble() {
        var expected = Self.expected
        expected.dataSetOffset = Self.meta.count
        #expect(Part10Header.parse(Self.meta + Self.dataSetStart) == .header(expected))
    }

    @Test("a head cut anywhere before the data set asks for more bytes")
    func needsMore() {
        let file = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Self.meta + Self.dataSetStart
        for cut in [0, 100, 131, 140, 132 + Self.meta.count - 1] {
            #expect(Part10Header.parse(Array(file.prefix(cut))) == .needMore, "cut at \(cut)")
        }
        #expect(Part10Header.parse(Array((Self.meta + Self.dataSetStart).prefix(Self.meta.count - 3))) == .needMore)
    }

    @Test("no DICM and no meta element, or meta information without the UIDs, is not a Part 10 file")
    func invalid() {
        let text = Array(String(repeating: "not dicom ", count: 20).utf8)
        #expect(Part10Header.parse(text) == .invalid("no DICM prefix: not a Part 10 file"))
        // A data set without any meta information: group 0008 first.
        let bare = Self.dataSetStart + [UInt8](repeating: 0, count: 140)
        #expect(Part10Header.parse(bare) == .invalid("no DICM prefix: not a Part 10 file"))
        let withoutInstance = Self.element(0x0002, "UI", Array("1.2.840.10008.5.1.4.1.1.7".utf8))
            + Self.element(0x0010, "UI", Array("1.2.840.10008.1.2.1".utf8)) + Self.dataSetStart
            + [UInt8](repeating: 0, count: 64)
        #expect(Part10Header.parse(withoutInstance)
            == .invalid("the meta information lacks the SOP class, instance or transfer syntax UID"))
    }
}
