import Testing
@testable import DICOMCore

/// Many threads decode at once in the archive; iconv descriptors must never be shared unguarded.
@Suite struct CharacterSetConcurrencyTests {
    /// Values that go through different iconv encodings, some with escape sequences.
    static let samples: [(terms: [String], bytes: [UInt8], text: String)] = [
        (["ISO_IR 100"], hex("42 75 63 5e 4a e9 72 f4 6d 65"), "Buc^Jérôme"),
        (["ISO_IR 144"], hex("bb ee da 63 65 dc d1 79 70 d3"), "Люкceмбypг"),
        (["ISO_IR 166"], hex("ca c1 aa d2 c2 5e e3 a8 b4 d5"), "สมชาย^ใจดี"),
        (["GB18030"], hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d"), "Wang^XiaoDong=王^小东="),
        // "Yamada^Tarou=" ESC $ B "山田" ESC ( B "^" ESC $ B "太郎" ESC ( B
        (["", "ISO 2022 IR 87"], hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a 1b 28 42"),
         "Yamada^Tarou=山田^太郎"),
        // "Hong^Gildong=" ESC $ ) C "洪" "^" ESC $ ) C "吉洞"
        (["", "ISO 2022 IR 149"], hex("48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 d7"),
         "Hong^Gildong=洪^吉洞"),
    ]

    @Test func concurrentTasksDecodeAndEncodeAlike() async {
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<32 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<200 {
                        let sample = Self.samples[(task + round) % Self.samples.count]
                        let characterSet = SpecificCharacterSet(terms: sample.terms)
                        if characterSet.decode(sample.bytes, vr: .PN) != sample.text { mismatches += 1 }
                        if characterSet.encode(sample.text, vr: .PN) != sample.bytes { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    /// A long value whose UTF-8 form is three times its TIS 620 size: the output buffer grows.
    @Test func longValuesConvertWhole() {
        let thai = SpecificCharacterSet(terms: ["ISO_IR 166"])
        let bytes = Array(repeating: hex("ca c1 aa d2 c2"), count: 2_000).flatMap { $0 }  // "สมชาย" × 2000
        let text = String(repeating: "สมชาย", count: 2_000)
        #expect(thai.decode(bytes, vr: .UT) == text)
        #expect(thai.encode(text, vr: .UT) == bytes)
    }
}

private func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}
