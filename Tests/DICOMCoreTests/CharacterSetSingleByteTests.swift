import Testing
@testable import DICOMCore

/// The single-byte sets of PS3.3 Table C.12-2, without and with code extensions. Fixtures are
/// from dcmtk's and pydicom's character set test files, or coded by an independent codec.
@Suite struct CharacterSetSingleByteTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let term: String
        let text: String
        let bytes: [UInt8]
        var testDescription: String { term }
    }

    static let fixtures: [Fixture] = [
        // "Buc^Jérôme": é E9, ô F4.
        Fixture(term: "ISO_IR 100", text: "Buc^Jérôme", bytes: hex("42 75 63 5e 4a e9 72 f4 6d 65")),
        // "Dvořák^Antonín": ř F8, á E1, í ED.
        Fixture(term: "ISO_IR 101", text: "Dvořák^Antonín", bytes: hex("44 76 6f f8 e1 6b 5e 41 6e 74 6f 6e ed 6e")),
        // "Ħal^Ġużeppi": Ħ A1, Ġ D5, ż BF.
        Fixture(term: "ISO_IR 109", text: "Ħal^Ġużeppi", bytes: hex("a1 61 6c 5e d5 75 bf 65 70 70 69")),
        // "Ķēniņš^Ģirts": Ķ D3, ē BA, ņ F1, š B9, Ģ AB.
        Fixture(term: "ISO_IR 110", text: "Ķēniņš^Ģirts", bytes: hex("d3 ba 6e 69 f1 b9 5e ab 69 72 74 73")),
        // "Люкceмбypг": Cyrillic letters mixed with the Latin c, e, y, p of the source file.
        Fixture(term: "ISO_IR 144", text: "Люкceмбypг", bytes: hex("bb ee da 63 65 dc d1 79 70 d3")),
        // "قباني^لنزار" in ISO 8859-6.
        Fixture(term: "ISO_IR 127", text: "قباني^لنزار", bytes: hex("e2 c8 c7 e6 ea 5e e4 e6 d2 c7 d1")),
        // "Διονυσιος" in ISO 8859-7.
        Fixture(term: "ISO_IR 126", text: "Διονυσιος", bytes: hex("c4 e9 ef ed f5 f3 e9 ef f2")),
        // "שרון^דבורה" in ISO 8859-8.
        Fixture(term: "ISO_IR 138", text: "שרון^דבורה", bytes: hex("f9 f8 e5 ef 5e e3 e1 e5 f8 e4")),
        // "Öztürk^Şükrü": Ş DE is where Latin-1 has Þ.
        Fixture(term: "ISO_IR 148", text: "Öztürk^Şükrü", bytes: hex("d6 7a 74 fc 72 6b 5e de fc 6b 72 fc")),
        // "Œuvre^€": Œ BC and € A4, where Latin-1 has ¼ and ¤.
        Fixture(term: "ISO_IR 203", text: "Œuvre^€", bytes: hex("bc 75 76 72 65 5e a4")),
        // "สมชาย^ใจดี" in TIS 620.
        Fixture(term: "ISO_IR 166", text: "สมชาย^ใจดี", bytes: hex("ca c1 aa d2 c2 5e e3 a8 b4 d5")),
        // "ﾔﾏﾀﾞ^ﾀﾛｳ": JIS X 0201 half-width katakana.
        Fixture(term: "ISO_IR 13", text: "ﾔﾏﾀﾞ^ﾀﾛｳ", bytes: hex("d4 cf c0 de 5e c0 db b3")),
    ]

    @Test(arguments: fixtures) func decodes(_ fixture: Fixture) {
        #expect(SpecificCharacterSet(terms: [fixture.term]).decode(fixture.bytes, vr: .PN) == fixture.text)
    }

    @Test(arguments: fixtures) func encodes(_ fixture: Fixture) {
        #expect(SpecificCharacterSet(terms: [fixture.term]).encode(fixture.text, vr: .PN) == fixture.bytes)
    }

    /// The same bytes under "ISO 2022 IR n": G1 is designated initially, no escape is needed.
    @Test(arguments: fixtures) func decodesWithCodeExtensionTerm(_ fixture: Fixture) {
        let term = "ISO 2022 IR " + fixture.term.dropFirst("ISO_IR ".count)
        #expect(SpecificCharacterSet(terms: [term]).decode(fixture.bytes, vr: .PN) == fixture.text)
    }

    @Test func switchesG1BetweenDeclaredSets() {
        let latinAndCyrillic = SpecificCharacterSet(terms: ["ISO 2022 IR 100", "ISO 2022 IR 144"])
        // "Jérôme " ESC - L "Люк" — then the value delimiter restores Latin-1 for "é".
        let bytes = hex("4a e9 72 f4 6d 65 20 1b 2d 4c bb ee da 5c e9")
        #expect(latinAndCyrillic.decode(bytes, vr: .LO) == "Jérôme Люк\\é")
        #expect(latinAndCyrillic.encode("Jérôme Люк\\é", vr: .LO) == bytes)
    }

    @Test func takesDecomposedLettersInTheirComposedForm() {
        // "é" written as e + COMBINING ACUTE ACCENT still fits Latin-1.
        #expect(SpecificCharacterSet(terms: ["ISO_IR 100"]).encode("Je\u{301}ro\u{302}me", vr: .PN)
                == hex("4a e9 72 f4 6d 65"))
    }
}

private func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}
