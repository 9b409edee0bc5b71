import Foundation
import DICOMCore

/// The File Meta Information at the head of a Part 10 stream (PS3.10 §7.1), read as bytes arrive:
/// what ingest must know before the data set follows (SOP class and instance, transfer syntax)
/// and where the data set starts. Pure. A stream that starts with the meta information itself,
/// without the 128-byte preamble and `DICM` prefix, is read too: that is what pydicom (and so
/// dicomweb-client's STOW-RS) writes for a data set built in memory, and DCMTK and pydicom read
/// such files; the archive stores every instance with its own meta information and preamble.
struct Part10Header: Equatable {
    var sopClassUID: String
    var sopInstanceUID: String
    var transferSyntaxUID: String
    /// Offset of the data set's first byte.
    var dataSetOffset: Int

    enum Outcome: Equatable {
        case needMore
        case header(Part10Header)
        case invalid(String)
    }

    /// The meta information is small; more than this without its end is not a Part 10 file.
    static let maximumLength = 64 * 1024

    static func parse(_ bytes: [UInt8]) -> Outcome {
        var position: Int
        if bytes.count >= 132, bytes[128..<132].elementsEqual("DICM".utf8) {
            position = 132
        } else if bytes.count >= 6, startsWithMetaElement(bytes) {
            position = 0
        } else {
            return bytes.count < 132 ? .needMore : .invalid("no DICM prefix: not a Part 10 file")
        }
        var values: [Tag: String] = [:]
        while true {
            guard position + 8 <= bytes.count else { return bytes.count > maximumLength ? .invalid("meta too long") : .needMore }
            let group = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            let element = UInt16(bytes[position + 2]) | UInt16(bytes[position + 3]) << 8
            guard group == 0x0002 else { break }
            guard let vr = VR(code: (bytes[position + 4], bytes[position + 5])) else {
                return .invalid("meta information element (0002,\(String(element, radix: 16))) has no valid VR")
            }
            var length: Int, headerLength: Int
            if vr.hasLongExplicitLength {
                guard position + 12 <= bytes.count else { return .needMore }
                length = Int(bytes[position + 8]) | Int(bytes[position + 9]) << 8 | Int(bytes[position + 10]) << 16
                    | Int(bytes[position + 11]) << 24
                headerLength = 12
            } else {
                length = Int(bytes[position + 6]) | Int(bytes[position + 7]) << 8
                headerLength = 8
            }
            guard length <= maximumLength else { return .invalid("meta information element too long") }
            let end = position + headerLength + length
            guard end <= bytes.count else { return end > maximumLength ? .invalid("meta too long") : .needMore }
            if vr == .UI {
                let text = String(decoding: bytes[(position + headerLength)..<end], as: UTF8.self)
                values[Tag(group, element)] = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
            }
            position = end
        }
        guard let sopClass = values[.mediaStorageSOPClassUID], !sopClass.isEmpty,
              let instance = values[.mediaStorageSOPInstanceUID], !instance.isEmpty,
              let syntax = values[.transferSyntaxUID], !syntax.isEmpty else {
            return .invalid("the meta information lacks the SOP class, instance or transfer syntax UID")
        }
        return .header(Part10Header(sopClassUID: sopClass, sopInstanceUID: instance, transferSyntaxUID: syntax,
                                    dataSetOffset: position))
    }

    /// A (0002,xxxx) element header in Explicit VR Little Endian, as the meta information begins.
    private static func startsWithMetaElement(_ bytes: [UInt8]) -> Bool {
        bytes[0] == 0x02 && bytes[1] == 0x00 && VR(code: (bytes[4], bytes[5])) != nil
    }
}
