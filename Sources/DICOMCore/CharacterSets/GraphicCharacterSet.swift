/// A graphic character set that ISO/IEC 2022 code extension designates to G0 or G1
/// (PS3.3 Tables C.12-2 to C.12-5; PS3.5 §6.1.2.5).
///
/// Every set is converted through an ASCII-compatible iconv encoding (an ISO 8859 part, TIS 620,
/// or an EUC form), so runs that mix ISO 646 bytes with one set's characters convert in one call.
struct GraphicCharacterSet: Hashable, Sendable {
    enum CodeElement: Hashable, Sendable { case g0, g1 }

    /// The bytes after ESC that designate this set.
    let escapeSequence: [UInt8]
    let codeElement: CodeElement
    let bytesPerCharacter: Int
    /// The iconv encoding holding this set's characters; nil for ISO 646 itself.
    let iconvName: String?
    /// Bytes before each character in the iconv encoding (EUC single shifts SS2/SS3).
    let iconvPrefix: [UInt8]
    /// G0 sets appear with the high bit set in their EUC form.
    let iconvSetsHighBit: Bool

    private init(_ escapeSequence: String, _ codeElement: CodeElement, bytes: Int = 1, iconv: String?,
                 prefix: [UInt8] = [], setsHighBit: Bool = false) {
        self.escapeSequence = Array(escapeSequence.utf8)
        self.codeElement = codeElement
        self.bytesPerCharacter = bytes
        self.iconvName = iconv
        self.iconvPrefix = prefix
        self.iconvSetsHighBit = setsHighBit
    }

    /// True for the sets that code ISO 646 (or its JIS X 0201 Roman variant) in G0.
    var isSingleByteG0: Bool { codeElement == .g0 && bytesPerCharacter == 1 }

    static let iso646 = Self("(B", .g0, iconv: nil)
    /// ISO-IR 14, JIS X 0201 Roman. It differs from ISO 646 only at 05/12 (yen sign) and 07/14
    /// (overline); DICOM keeps 05/12 as the value delimiter (PS3.5 §6.1.2.5.3), so both are
    /// decoded as ISO 646.
    static let jisRoman = Self("(J", .g0, iconv: nil)
    static let jisKatakana = Self(")I", .g1, iconv: "EUC-JP", prefix: [0x8E])
    static let jisX0208 = Self("$B", .g0, bytes: 2, iconv: "EUC-JP", setsHighBit: true)
    static let jisX0212 = Self("$(D", .g0, bytes: 2, iconv: "EUC-JP", prefix: [0x8F], setsHighBit: true)
    static let ksX1001 = Self("$)C", .g1, bytes: 2, iconv: "EUC-KR")
    static let gb2312 = Self("$)A", .g1, bytes: 2, iconv: "GB2312")

    /// The right-hand part of a single-byte set, designated with ESC 02/13 F.
    private static func upperHalf(_ final: String, _ iconvName: String) -> Self {
        Self("-" + final, .g1, iconv: iconvName)
    }

    static let latin1 = upperHalf("A", "ISO-8859-1")
    static let latin2 = upperHalf("B", "ISO-8859-2")
    static let latin3 = upperHalf("C", "ISO-8859-3")
    static let latin4 = upperHalf("D", "ISO-8859-4")
    static let cyrillic = upperHalf("L", "ISO-8859-5")
    static let arabic = upperHalf("G", "ISO-8859-6")
    static let greek = upperHalf("F", "ISO-8859-7")
    static let hebrew = upperHalf("H", "ISO-8859-8")
    static let latin5 = upperHalf("M", "ISO-8859-9")
    static let latin9 = upperHalf("b", "ISO-8859-15")
    static let thai = upperHalf("T", "TIS-620")

    /// Every set an escape sequence may designate, in the order tried when matching one.
    static let all: [Self] = [
        iso646, jisRoman, jisKatakana, jisX0208, jisX0212, ksX1001, gb2312,
        latin1, latin2, latin3, latin4, cyrillic, arabic, greek, hebrew, latin5, latin9, thai,
    ]
}

/// What one defined term of Specific Character Set designates (PS3.3 C.12.1.1.2).
struct DefinedTermDesignation: Hashable, Sendable {
    let g0: GraphicCharacterSet?
    let g1: GraphicCharacterSet?

    var sets: [GraphicCharacterSet] { [g0, g1].compactMap { $0 } }

    /// The designation of a defined term with or without code extensions; nil for terms this
    /// module does not know, and for the multi-byte sets without code extensions.
    init?(term: String) {
        let irNumber: Substring
        if term.hasPrefix("ISO 2022 IR ") {
            irNumber = term.dropFirst("ISO 2022 IR ".count)
        } else if term.hasPrefix("ISO_IR ") {
            irNumber = term.dropFirst("ISO_IR ".count)
        } else {
            return nil
        }
        guard let (g0, g1) = Self.byIRNumber[irNumber] else { return nil }
        self.g0 = g0
        self.g1 = g1
    }

    /// Sets by ISO registration number (PS3.3 Tables C.12-2 to C.12-4).
    private static let byIRNumber: [Substring: (GraphicCharacterSet?, GraphicCharacterSet?)] = [
        "6": (.iso646, nil),
        "100": (.iso646, .latin1), "101": (.iso646, .latin2), "109": (.iso646, .latin3),
        "110": (.iso646, .latin4), "144": (.iso646, .cyrillic), "127": (.iso646, .arabic),
        "126": (.iso646, .greek), "138": (.iso646, .hebrew), "148": (.iso646, .latin5),
        "203": (.iso646, .latin9), "166": (.iso646, .thai),
        "13": (.jisRoman, .jisKatakana),
        "87": (.jisX0208, nil), "159": (.jisX0212, nil),
        "149": (nil, .ksX1001), "58": (nil, .gb2312),
    ]
}
