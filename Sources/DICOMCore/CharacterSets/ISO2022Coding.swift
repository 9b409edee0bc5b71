/// The sets designated to G0 and G1 at one point of a value.
struct Designations: Hashable, Sendable {
    var g0: GraphicCharacterSet
    var g1: GraphicCharacterSet?

    mutating func designate(_ set: GraphicCharacterSet) {
        switch set.codeElement {
        case .g0: g0 = set
        case .g1: g1 = set
        }
    }
}

/// Coding of text values with the single-byte and ISO/IEC 2022 sets of Specific Character Set
/// (PS3.5 §6.1.2.5, PS3.3 C.12.1.1.2). A single value without "ISO 2022" uses no code extension.
struct ISO2022Coding: Hashable, Sendable {
    /// In force at the start of each value, line and delimited part: what value 1 of
    /// (0008,0005) designates, ISO 646 alone when value 1 is empty or unknown.
    let initial: Designations
    /// The sets an encoder may designate with escape sequences, in the order of (0008,0005);
    /// empty when code extensions are not in use.
    let extensions: [GraphicCharacterSet]

    init(terms: [String]) {
        let first = terms.first.flatMap(DefinedTermDesignation.init(term:))
        initial = Designations(g0: first?.g0 ?? .iso646, g1: first?.g1)
        let usesExtensions = terms.count > 1 || terms.first?.hasPrefix("ISO 2022") == true
        var extensions: [GraphicCharacterSet] = []
        if usesExtensions {
            for set in terms.compactMap(DefinedTermDesignation.init(term:)).flatMap(\.sets)
            where !extensions.contains(set) {
                extensions.append(set)
            }
        }
        self.extensions = extensions
    }

    /// Whether the initial designations are in force again after this ISO 646 byte: after a
    /// control character (CR, LF, TAB, FF), a value delimiter, and in PN the component group
    /// and component delimiters (PS3.5 §6.1.2.5.3).
    static func resetsDesignations(after byte: UInt8, vr: VR) -> Bool {
        switch byte {
        case 0x09, 0x0A, 0x0C, 0x0D: return true
        case UInt8(ascii: "\\"): return vr.allowsMultipleTextValues
        case UInt8(ascii: "^"), UInt8(ascii: "="): return vr == .PN
        default: return false
        }
    }
}
