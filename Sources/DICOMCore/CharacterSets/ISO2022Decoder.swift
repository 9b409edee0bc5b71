extension ISO2022Coding {
    private static let escape: UInt8 = 0x1B

    /// Decodes one text value, following escape sequences that switch G0 and G1 within it
    /// (PS3.5 §6.1.2.5). Escape sequences of every set this module knows are honoured, declared
    /// in (0008,0005) or not, since they say unambiguously what follows. nil when a byte falls
    /// outside the designated sets or an escape sequence is unknown.
    func decode(_ bytes: [UInt8], vr: VR) -> String? {
        var runs = IconvRuns()
        var state = initial
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.escape {
                guard let set = Self.designatedSet(in: bytes, afterEscapeAt: index) else { return nil }
                state.designate(set)
                index += 1 + set.escapeSequence.count
            } else if byte >= 0x80 {
                // GR: a character of the set in G1 (PS3.5 §6.1.2.5.1); iconv rejects codes the
                // set leaves undefined.
                guard let g1 = state.g1, let character = Self.character(of: g1, in: bytes, at: index),
                      character.allSatisfy({ $0 >= 0x80 }) else { return nil }
                runs.append(character, of: g1)
                index += g1.bytesPerCharacter
            } else if !state.g0.isSingleByteG0 && byte > 0x20 {
                // GL with a two-byte set in G0: space and control characters stay ISO 646.
                guard let character = Self.character(of: state.g0, in: bytes, at: index),
                      character.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
                runs.append(character, of: state.g0)
                index += state.g0.bytesPerCharacter
            } else {
                runs.appendISO646(byte)
                if Self.resetsDesignations(after: byte, vr: vr) { state = initial }
                index += 1
            }
        }
        return runs.decoded()
    }

    /// The set whose escape sequence starts after the ESC at `index`.
    private static func designatedSet(in bytes: [UInt8], afterEscapeAt index: Int) -> GraphicCharacterSet? {
        GraphicCharacterSet.all.first { set in
            bytes[(index + 1)...].starts(with: set.escapeSequence)
        }
    }

    private static func character(of set: GraphicCharacterSet, in bytes: [UInt8], at index: Int) -> ArraySlice<UInt8>? {
        let end = index + set.bytesPerCharacter
        return end <= bytes.count ? bytes[index..<end] : nil
    }
}

/// Bytes gathered per iconv encoding, in order. ISO 646 bytes join whatever run is open, as
/// every encoding used is ASCII-compatible; a new run starts only when the encoding changes.
private struct IconvRuns {
    private var finished: [(iconvName: String?, bytes: [UInt8])] = []
    private var iconvName: String?
    private var bytes: [UInt8] = []

    mutating func appendISO646(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends a character of `set` in the form its iconv encoding expects.
    mutating func append(_ character: ArraySlice<UInt8>, of set: GraphicCharacterSet) {
        if iconvName != nil && iconvName != set.iconvName {
            finished.append((iconvName, bytes))
            bytes = []
        }
        iconvName = set.iconvName
        bytes += set.iconvPrefix
        if set.iconvSetsHighBit {
            for byte in character { bytes.append(byte | 0x80) }
        } else {
            bytes += character
        }
    }

    func decoded() -> String? {
        var text = ""
        for (iconvName, bytes) in finished + [(iconvName, bytes)] {
            guard let iconvName else {
                text += String(decoding: bytes, as: UTF8.self)  // ISO 646 only: valid UTF-8
                continue
            }
            guard let utf8 = IconvPool.shared.convert(bytes, from: iconvName, to: "UTF-8"),
                  let part = String(validating: utf8, as: UTF8.self) else { return nil }
            text += part
        }
        return text
    }
}
