import Testing
@testable import DICOMCore

/// Reset rules, undecodable input, unknown terms and the VRs that ignore Specific Character Set.
@Suite struct CharacterSetEdgeCaseTests {
    static let latin1 = SpecificCharacterSet(terms: ["ISO_IR 100"])
    static let korean = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
    static let japanese = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87", "ISO 2022 IR 159"])

    @Test(arguments: [
        (["ISO_IR 100"], hex("42 75 63 5e 4a e9")),        // Latin-1, but CS holds ISO 646 only
        ([], hex("4a e9 72 f4 6d 65")),                    // default repertoire: no code beyond 7F
        (["ISO_IR 192"], hex("4a e9 72 f4 6d 65")),        // Latin-1 bytes are not UTF-8
    ] as [([String], [UInt8])])
    func nonASCIIOutsideSpecificCharacterSetVRsIsUndecodable(terms: [String], bytes: [UInt8]) {
        #expect(SpecificCharacterSet(terms: terms).decode(bytes, vr: .CS) == nil)
    }

    @Test(arguments: [
        ([], hex("4a e9 72 f4 6d 65")),                    // default repertoire, Latin-1 bytes
        (["ISO_IR 127"], hex("a1")),                       // A1 is not assigned in ISO 8859-6
        (["ISO_IR 192"], hex("c3 28")),                    // broken UTF-8 sequence
        (["GB18030"], hex("57 cd")),                       // truncated two-byte character
        (["", "ISO 2022 IR 87"], hex("1b 28 5a 41")),      // unknown escape sequence ESC ( Z
        (["", "ISO 2022 IR 87"], hex("41 1b")),            // ESC at the end of the value
        (["", "ISO 2022 IR 87"], hex("1b 24 42 3b")),      // JIS X 0208 character cut short
        (["", "ISO 2022 IR 87"], hex("e9")),               // GR code with nothing designated to G1
        (["", "ISO 2022 IR 149"], hex("1b 24 29 43 c8")),  // KS X 1001 character cut short
        (["ISO_IR 999"], hex("e9")),                       // unknown term: default repertoire only
    ] as [([String], [UInt8])])
    func undecodableBytesGiveNil(terms: [String], bytes: [UInt8]) {
        #expect(SpecificCharacterSet(terms: terms).decode(bytes, vr: .LO) == nil)
    }

    @Test func unknownTermsKeepTheDefaultRepertoire() {
        let unknown = SpecificCharacterSet(terms: ["ISO_IR 999"])
        #expect(unknown.decode(hex("53 6d 69 74 68 5e 4a 6f 68 6e"), vr: .PN) == "Smith^John")
        #expect(unknown.encode("Smith^John", vr: .PN) == hex("53 6d 69 74 68 5e 4a 6f 68 6e"))
        #expect(unknown.encode("Jérôme", vr: .PN) == nil)
    }

    @Test func componentDelimitersResetG1InPersonNames() {
        // ESC $ ) C "홍" "^" then a KS X 1001 code with no new designation: G1 is back to nothing.
        #expect(Self.korean.decode(hex("1b 24 29 43 c8 ab 5e c8 ab"), vr: .PN) == nil)
        // In LO "^" is an ordinary character and the designation holds.
        #expect(Self.korean.decode(hex("1b 24 29 43 c8 ab 5e c8 ab"), vr: .LO) == "홍^홍")
    }

    @Test func valueDelimiterResetsOnlyWhereValuesAreMultiple() {
        // ESC $ ) C "홍" "\" "홍": a second LO value needs its own designation; LT has one value.
        let bytes = hex("1b 24 29 43 c8 ab 5c c8 ab")
        #expect(Self.korean.decode(bytes, vr: .LO) == nil)
        #expect(Self.korean.decode(bytes, vr: .LT) == "홍\\홍")
        #expect(Self.korean.encode("홍\\홍", vr: .LO) == hex("1b 24 29 43 c8 ab 5c 1b 24 29 43 c8 ab"))
        #expect(Self.korean.encode("홍\\홍", vr: .LT) == bytes)
    }

    @Test func lineEndsResetG0() {
        // ESC $ B "山" CR LF "ED": after the line end G0 is ISO 646 again, so 45 44 reads "ED".
        #expect(Self.japanese.decode(hex("1b 24 42 3b 33 0d 0a 45 44"), vr: .LT) == "山\r\nED")
        #expect(Self.japanese.encode("山\r\nED", vr: .LT) == hex("1b 24 42 3b 33 1b 28 42 0d 0a 45 44"))
    }

    @Test func delimiterBytesInsideTwoByteCharactersAreNotDelimiters() {
        // ESC $ B "俑" (JIS X 0208 50 5C) ESC ( B: the 5C is half of a character, not a "\".
        let bytes = hex("1b 24 42 50 5c 1b 28 42")
        #expect(Self.japanese.decode(bytes, vr: .LO) == "俑")
        #expect(Self.japanese.encode("俑", vr: .LO) == bytes)
        // GBK "乗" is 81 5C; the caller splits values after decoding.
        #expect(SpecificCharacterSet(terms: ["GBK"]).decode(hex("81 5c"), vr: .LO) == "乗")
    }

    @Test func supplementaryKanjiUseJISX0212() {
        // "山" from JIS X 0208 (ESC $ B), "丂" only in JIS X 0212 (ESC $ ( D 30 21), back to ESC ( B.
        let bytes = hex("1b 24 42 3b 33 1b 24 28 44 30 21 1b 28 42")
        #expect(Self.japanese.decode(bytes, vr: .LO) == "山丂")
        #expect(Self.japanese.encode("山丂", vr: .LO) == bytes)
    }

    @Test func gb18030CodesWhatGBKCannot() {
        // "𠀀" is a four-byte GB18030 code (95 32 82 36), "€" A2 E3; GBK has neither.
        let gb18030 = SpecificCharacterSet(terms: ["GB18030"])
        #expect(gb18030.decode(hex("95 32 82 36 a2 e3"), vr: .LO) == "𠀀€")
        #expect(gb18030.encode("𠀀€", vr: .LO) == hex("95 32 82 36 a2 e3"))
        #expect(SpecificCharacterSet(terms: ["GBK"]).encode("𠀀", vr: .LO) == nil)
    }

    @Test func unrepresentableCharactersGiveNil() {
        #expect(Self.latin1.encode("Люк", vr: .PN) == nil)
        #expect(SpecificCharacterSet(terms: ["ISO 2022 IR 100"]).encode("Люк", vr: .PN) == nil)
        #expect(SpecificCharacterSet.defaultRepertoire.encode("Jérôme", vr: .PN) == nil)
        #expect(SpecificCharacterSet(terms: ["ISO_IR 192"]).encode("Jérôme", vr: .CS) == nil)
        #expect(Self.korean.encode("a\u{1B}b", vr: .LO) == nil)  // ESC would start an escape sequence
    }

    @Test func paddingIsKeptForTheCaller() {
        #expect(Self.latin1.decode(hex("4a e9 20"), vr: .PN) == "Jé ")
        #expect(SpecificCharacterSet.defaultRepertoire.decode(hex("31 2e 32 00"), vr: .UI) == "1.2\0")
        #expect(SpecificCharacterSet(terms: ["GB18030"]).decode(hex("cd f5 20"), vr: .PN) == "王 ")
    }

    @Test func termsArePaddedOrUnpadded() {
        #expect(SpecificCharacterSet(terms: ["ISO_IR 100 "]).decode(hex("4a e9"), vr: .PN) == "Jé")
    }
}

private func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}
