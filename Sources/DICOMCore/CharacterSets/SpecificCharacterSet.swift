import Foundation

/// The character repertoires named by Specific Character Set (0008,0005) (PS3.5 §6.1, PS3.3 C.12.1.1.2).
///
/// Only SH, LO, ST, LT, UC, UT and PN values use it; other text VRs hold the default repertoire
/// (PS3.5 Table 6.2-1). Values are decoded and encoded whole, padding included: trailing spaces
/// and NULs come back as characters, since which padding is insignificant depends on the VR
/// and is the caller's to strip (PS3.5 §6.2); `encode` adds no padding either.
///
/// Unknown defined terms are ignored: a value then decodes only as far as the default repertoire
/// (with any escape sequences it carries) allows, else `decode` returns nil and the caller keeps
/// the bytes. Conversions use the platform's iconv; a value is safe to use from many threads.
public struct SpecificCharacterSet: Sendable, Hashable {
    /// The defined terms as they appear in the data set, e.g. `["", "ISO 2022 IR 87"]`.
    public let terms: [String]
    private let coding: TextCoding

    public init(terms: [String]) {
        self.terms = terms
        coding = TextCoding(terms: terms.map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// The default repertoire (ISO-IR 6, i.e. ASCII) used when the attribute is absent.
    public static let defaultRepertoire = SpecificCharacterSet(terms: [])

    /// Decodes a text value of the given VR; nil when the bytes cannot be decoded
    /// (the caller then keeps the raw bytes, never loses them).
    public func decode(_ bytes: [UInt8], vr: VR) -> String? {
        guard vr.usesSpecificCharacterSet else {
            return bytes.allSatisfy { $0 < 0x80 } ? String(decoding: bytes, as: UTF8.self) : nil
        }
        switch coding {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .wholeValue(let iconvName):
            return IconvPool.shared.convert(bytes, from: iconvName, to: "UTF-8")
                .flatMap { String(validating: $0, as: UTF8.self) }
        case .iso2022(let coding):
            return coding.decode(bytes, vr: vr)
        }
    }

    /// Encodes a string for a text value of the given VR; nil when it cannot be represented.
    public func encode(_ string: String, vr: VR) -> [UInt8]? {
        guard vr.usesSpecificCharacterSet else {
            return string.unicodeScalars.allSatisfy(\.isASCII) ? Array(string.utf8) : nil
        }
        // Legacy sets hold precomposed letters only, so a decomposed "é" must be composed first.
        switch coding {
        case .utf8:
            return Array(string.utf8)
        case .wholeValue(let iconvName):
            return IconvPool.shared.convert(Array(Self.composed(string).utf8), from: "UTF-8", to: iconvName)
        case .iso2022(let coding):
            return coding.encode(Self.composed(string), vr: vr)
        }
    }

    /// ASCII text is its own composed form: skipping the normalization keeps UIDs and AE titles
    /// (every stored instance's meta header) cheap.
    private static func composed(_ string: String) -> String {
        string.utf8.allSatisfy { $0 < 0x80 } ? string : string.precomposedStringWithCanonicalMapping
    }
}

/// How a Specific Character Set codes its text values.
private enum TextCoding: Hashable, Sendable {
    /// ISO_IR 192: Unicode in UTF-8, checked by the standard library.
    case utf8
    /// GB18030 and GBK: multi-byte sets without code extensions (PS3.3 Table C.12-5).
    case wholeValue(iconvName: String)
    /// The default repertoire, the single-byte sets and ISO/IEC 2022 code extensions.
    case iso2022(ISO2022Coding)

    /// The multi-byte sets without code extensions cannot be combined with others; a set that
    /// names one anyway is taken to mean it.
    init(terms: [String]) {
        if terms.contains("ISO_IR 192") {
            self = .utf8
        } else if let term = terms.first(where: { $0 == "GB18030" || $0 == "GBK" }) {
            self = .wholeValue(iconvName: term)
        } else {
            self = .iso2022(ISO2022Coding(terms: terms))
        }
    }
}

extension VR {
    /// Text VRs whose values use Specific Character Set (PS3.5 Table 6.2-1).
    var usesSpecificCharacterSet: Bool {
        switch self {
        case .SH, .LO, .ST, .LT, .UC, .UT, .PN: return true
        default: return false
        }
    }
}
