extension ISO2022Coding {
    private static let escape: UInt8 = 0x1B

    /// Encodes one text value, designating a declared set by escape sequence when the one in
    /// force lacks a character. Like the examples of PS3.5 Annexes H, I and K, ISO 646 is put
    /// back into G0 before each delimiter and at the end of the value, and G1 is taken as reset
    /// after each delimiter (PS3.5 §6.1.2.5.3). nil when a character is in none of the sets.
    func encode(_ string: String, vr: VR) -> [UInt8]? {
        let scalars = Array(string.unicodeScalars)
        var bytes: [UInt8] = []
        var state = initial
        var index = 0
        while index < scalars.count {
            if scalars[index].isASCII {
                let byte = UInt8(scalars[index].value)
                guard byte != Self.escape else { return nil }  // would be read as an escape sequence
                if !state.g0.isSingleByteG0 {
                    let g0 = initial.g0.isSingleByteG0 ? initial.g0 : .iso646
                    bytes += [Self.escape] + g0.escapeSequence
                    state.g0 = g0
                }
                bytes.append(byte)
                if Self.resetsDesignations(after: byte, vr: vr) { state = initial }
                index += 1
                continue
            }
            // A run of other characters usually fits one set: convert it in one call, else
            // character by character.
            let runEnd = scalars[index...].firstIndex(where: \.isASCII) ?? scalars.count
            let run = scalars[index..<runEnd]
            if let (set, code) = encode(run, state) {
                append(code, of: set, to: &bytes, &state)
            } else {
                for scalar in run {
                    guard let (set, code) = encode(CollectionOfOne(scalar), state) else { return nil }
                    append(code, of: set, to: &bytes, &state)
                }
            }
            index = runEnd
        }
        if state.g0 != initial.g0 { bytes += [Self.escape] + initial.g0.escapeSequence }
        return bytes
    }

    /// Codes of the characters in the first set that has them all: the sets in force first,
    /// then the declared sets, which need an escape sequence.
    private func encode(_ scalars: some Collection<Unicode.Scalar>, _ state: Designations) -> (GraphicCharacterSet, [UInt8])? {
        let designated = [state.g1, state.g0].compactMap { $0 }
        for set in designated + extensions.filter({ !designated.contains($0) }) {
            if let code = Self.encode(scalars, in: set) { return (set, code) }
        }
        return nil
    }

    private func append(_ code: [UInt8], of set: GraphicCharacterSet, to bytes: inout [UInt8], _ state: inout Designations) {
        if set != state.g0 && set != state.g1 {
            bytes += [Self.escape] + set.escapeSequence
            state.designate(set)
        }
        bytes += code
    }

    /// The codes of non-ISO 646 characters in one set, through the set's iconv encoding.
    private static func encode(_ scalars: some Collection<Unicode.Scalar>, in set: GraphicCharacterSet) -> [UInt8]? {
        var utf8: [UInt8] = []
        for scalar in scalars { utf8 += String(scalar).utf8 }
        let width = set.iconvPrefix.count + set.bytesPerCharacter
        guard let iconvName = set.iconvName,
              let encoded = IconvPool.shared.convert(utf8, from: "UTF-8", to: iconvName),
              encoded.count == scalars.count * width else { return nil }
        // Two-byte sets occupy rows 02/01-07/14 (EUC A1-FE); anything else is another set's code.
        let lowestByte: UInt8 = set.bytesPerCharacter == 2 ? 0xA1 : 0x80
        var codes: [UInt8] = []
        codes.reserveCapacity(scalars.count * set.bytesPerCharacter)
        for start in stride(from: 0, to: encoded.count, by: width) {
            let character = encoded[start..<(start + width)]
            guard character.starts(with: set.iconvPrefix) else { return nil }
            for byte in character.dropFirst(set.iconvPrefix.count) {
                guard byte >= lowestByte else { return nil }
                codes.append(set.iconvSetsHighBit ? byte & 0x7F : byte)
            }
        }
        return codes
    }
}
