import Testing
@testable import DICOMCore

/// The worked examples of PS3.5 Annexes H (Japanese), I (Korean), J (UTF-8, GB18030, GBK) and
/// K (GB 2312), byte for byte: each decodes to its text and encodes back to the same bytes.
@Suite struct CharacterSetStandardExampleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let name: String
        let terms: [String]
        let vr: VR
        let text: String
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        // H.3.1: "Yamada^Tarou=" ESC $ B "山田" ESC ( B "^" ESC $ B "太郎" ESC ( B "="
        //        ESC $ B "やまだ" ESC ( B "^" ESC $ B "たろう" ESC ( B
        Example(name: "PS3.5 H.3.1", terms: ["", "ISO 2022 IR 87"], vr: .PN,
                text: "Yamada^Tarou=山田^太郎=やまだ^たろう",
                bytes: hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42")),
        // H.3.2: half-width katakana "ﾔﾏﾀﾞ^ﾀﾛｳ=" in G1, then JIS X 0208 in G0, back to JIS X 0201
        //        Roman (ESC ( J) before each delimiter and at the end.
        Example(name: "PS3.5 H.3.2", terms: ["ISO 2022 IR 13", "ISO 2022 IR 87"], vr: .PN,
                text: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
                bytes: hex("d4 cf c0 de 5e c0 db b3 3d 1b 24 42 3b 33 45 44 1b 28 4a 5e 1b 24 42 42 40 4f 3a 1b 28 4a 3d 1b 24 42 24 64 24 5e 24 40 1b 28 4a 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 4a")),
        // I.2: "Hong^Gildong=" ESC $ ) C "洪" "^" ESC $ ) C "吉洞" "=" ESC $ ) C "홍" "^" ESC $ ) C "길동":
        //      KS X 1001 is designated to G1 again in every component.
        Example(name: "PS3.5 I.2", terms: ["", "ISO 2022 IR 149"], vr: .PN,
                text: "Hong^Gildong=洪^吉洞=홍^길동",
                bytes: hex("48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 d7 3d 1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf")),
        // J.1: "Wang^XiaoDong=王^小東=" in UTF-8.
        Example(name: "PS3.5 J.1", terms: ["ISO_IR 192"], vr: .PN, text: "Wang^XiaoDong=王^小東=",
                bytes: hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d e7 8e 8b 5e e5 b0 8f e6 9d b1 3d")),
        // J.3: "Wang^XiaoDong=王^小东=" in GB18030 (王 CDF5, 小 D0A1, 东 B6AB).
        Example(name: "PS3.5 J.3", terms: ["GB18030"], vr: .PN, text: "Wang^XiaoDong=王^小东=",
                bytes: hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d")),
        // J.3 again with GBK: the annex notes these characters code alike in both sets.
        Example(name: "PS3.5 J.3 as GBK", terms: ["GBK"], vr: .PN, text: "Wang^XiaoDong=王^小东=",
                bytes: hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d")),
        // K.2: "Zhang^XiaoDong=" ESC $ ) A "张^" ESC $ ) A "小东=", padded with a space.
        Example(name: "PS3.5 K.2", terms: ["", "ISO 2022 IR 58"], vr: .PN, text: "Zhang^XiaoDong=张^小东= ",
                bytes: hex("5A 68 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D 1B 24 29 41 D5 C5 5E 1B 24 29 41 D0 A1 B6 AB 3D 20")),
        // K.3: three LT lines "1.第一行文字。" CR LF …; GB 2312 is designated again after each line end.
        Example(name: "PS3.5 K.3", terms: ["", "ISO 2022 IR 58"], vr: .LT,
                text: "1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n",
                bytes: hex("31 2e 1B 24 29 41 B5 DA D2 BB D0 D0 CE C4 D7 D6 A1 A3 0D 0A 32 2e 1B 24 29 41 B5 DA B6 FE D0 D0 CE C4 D7 D6 A1 A3 0D 0A 33 2e 1B 24 29 41 B5 DA C8 FD D0 D0 CE C4 D7 D6 A1 A3 0D 0A")),
    ]

    @Test(arguments: examples) func decodesTheStandardsBytes(_ example: Example) {
        let characterSet = SpecificCharacterSet(terms: example.terms)
        #expect(characterSet.decode(example.bytes, vr: example.vr) == example.text)
    }

    @Test(arguments: examples) func encodesTheStandardsBytes(_ example: Example) {
        let characterSet = SpecificCharacterSet(terms: example.terms)
        #expect(characterSet.encode(example.text, vr: example.vr) == example.bytes)
    }

    /// pydicom's chrJapMulti and chrKoreanMulti: values that end in the multi-byte set, then
    /// redundantly designate ISO 646 and pad with a space.
    @Test func decodesRedundantDesignationsBeforePadding() {
        let japanese = SpecificCharacterSet(terms: ["ISO 2022 IR 6", "ISO 2022 IR 87"])
        // ESC $ B "やまだ" ESC ( B "^" ESC $ B "たろう" ESC ( B " "
        #expect(japanese.decode(hex("1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42 20"),
                                vr: .PN) == "やまだ^たろう ")
        let korean = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
        // ESC $ ) C "김희중" ESC ( B " "
        #expect(korean.decode(hex("1b 24 29 43 b1 e8 c8 f1 c1 df 1b 28 42 20"), vr: .PN) == "김희중 ")
    }
}

private func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}
