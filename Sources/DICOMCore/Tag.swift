/// A data element tag (PS3.5 §7.1): group and element numbers.
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let group: UInt16
    public let element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// The tag as one 32-bit number, group in the high half (`0xGGGGEEEE`).
    public init(_ value: UInt32) {
        self.init(UInt16(value >> 16), UInt16(value & 0xFFFF))
    }

    public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

    /// Private tags have an odd group number (PS3.5 §7.8).
    public var isPrivate: Bool { group & 1 == 1 }

    /// A Private Creator element reserves a block: (gggg,0010–00FF) in an odd group (PS3.5 §7.8.1).
    public var isPrivateCreator: Bool { isPrivate && element >= 0x0010 && element <= 0x00FF }

    /// Group length elements (gggg,0000).
    public var isGroupLength: Bool { element == 0 }

    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.value < rhs.value }

    /// `(GGGG,EEEE)` in upper-case hex, as DICOM tools print tags.
    public var description: String {
        "(\(hex4(group)),\(hex4(element)))"
    }
}

func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - digits.count) + digits
}

extension Tag {
    // Delimitation tags (PS3.5 §7.5) and the few tags the encoding layer itself needs.
    public static let item = Tag(0xFFFE, 0xE000)
    public static let itemDelimitationItem = Tag(0xFFFE, 0xE00D)
    public static let sequenceDelimitationItem = Tag(0xFFFE, 0xE0DD)
    public static let pixelData = Tag(0x7FE0, 0x0010)
}
