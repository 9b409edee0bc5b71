/// Value Representations of the current standard (PS3.5 §6.2, Table 6.2-1).
public enum VR: String, CaseIterable, Sendable {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW,
         PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV

    /// Reads a VR from its two-character code; nil for a code the standard does not define.
    public init?(code: (UInt8, UInt8)) {
        let isUpper = { (byte: UInt8) in byte >= 0x41 && byte <= 0x5A }
        guard isUpper(code.0), isUpper(code.1) else { return nil }
        self.init(rawValue: String(decoding: [code.0, code.1], as: UTF8.self))
    }

    /// VRs encoded in explicit syntaxes with 2 reserved bytes and a 32-bit length (PS3.5 §7.1.2).
    public var hasLongExplicitLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: return true
        default: return false
        }
    }

    /// Byte used to pad a value to even length: space for text, NUL for UI and binary (PS3.5 §6.2).
    public var paddingByte: UInt8 {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UR, .UT: return 0x20
        default: return 0x00
        }
    }

    /// Size in bytes of one binary value, for byte swapping between little and big endian.
    public var binaryWordSize: Int? {
        switch self {
        case .AT, .OW, .SS, .US: return 2
        case .FL, .OF, .OL, .SL, .UL: return 4
        case .FD, .OD, .OV, .SV, .UV: return 8
        default: return nil
        }
    }
}

extension VR {
    /// Character-string VRs (PS3.5 §6.2): values are text, padded with a space (UI: NUL).
    public var isText: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: return true
        default: return false
        }
    }

    /// Text VRs whose values may hold several values separated by backslash (PS3.5 §6.4);
    /// LT, ST, UT and UR hold one value in which a backslash is an ordinary character.
    public var allowsMultipleTextValues: Bool {
        isText && self != .LT && self != .ST && self != .UT && self != .UR
    }

    /// Text VRs whose leading spaces are insignificant (PS3.5 Table 6.2-1).
    var hasInsignificantLeadingSpaces: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .SH, .TM: return true
        default: return false
        }
    }

    /// The two-byte code as written in explicit VR element headers.
    var codeBytes: (UInt8, UInt8) {
        let utf8 = rawValue.utf8
        return (utf8[utf8.startIndex], utf8[utf8.index(after: utf8.startIndex)])
    }
}
