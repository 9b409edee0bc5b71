/// The character repertoires named by Specific Character Set (0008,0005) (PS3.5 §6.1, PS3.3 C.12.1.1.2).
public struct SpecificCharacterSet: Sendable, Hashable {
    /// The defined terms as they appear in the data set, e.g. `["", "ISO 2022 IR 87"]`.
    public let terms: [String]

    public init(terms: [String]) {
        self.terms = terms
    }

    /// The default repertoire (ISO-IR 6, i.e. ASCII) used when the attribute is absent.
    public static let defaultRepertoire = SpecificCharacterSet(terms: [])

    /// Decodes a text value of the given VR; nil when the bytes cannot be decoded
    /// (the caller then keeps the raw bytes, never loses them).
    public func decode(_ bytes: [UInt8], vr: VR) -> String? {
        if terms.contains("ISO_IR 192") || bytes.allSatisfy({ $0 < 0x80 }) {
            return String(validating: bytes, as: UTF8.self)
        }
        return nil
    }

    /// Encodes a string for a text value of the given VR; nil when it cannot be represented.
    public func encode(_ string: String, vr: VR) -> [UInt8]? {
        let bytes = Array(string.utf8)
        if terms.contains("ISO_IR 192") || bytes.allSatisfy({ $0 < 0x80 }) { return bytes }
        return nil
    }
}
