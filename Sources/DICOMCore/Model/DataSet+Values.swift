/// Typed reading of element values. Text is decoded with the data set's Specific Character Set
/// (inherited by sequence items); binary values are read from their little-endian bytes. Each
/// accessor returns nil when the element is absent, holds no value, or has a VR the accessor
/// does not read.
extension DataSet {
    /// Specific Character Set (0008,0005) of this data set, else of the enclosing one, else the
    /// default repertoire (PS3.5 §6.1.2.5.1).
    public var specificCharacterSet: SpecificCharacterSet {
        guard let bytes = self[Tag.specificCharacterSet]?.bytes else {
            return inheritedCharacterSet ?? .defaultRepertoire
        }
        // The defined terms are themselves in the default repertoire; the first may be empty.
        let text = String(decoding: bytes, as: UTF8.self)
        let terms = text.split(separator: "\\", omittingEmptySubsequences: false).map {
            String($0).trimmingSpacesAndNUL(leading: true)
        }
        return SpecificCharacterSet(terms: terms)
    }

    /// The whole text value, trailing padding (and leading spaces where insignificant) removed.
    /// For a multi-valued element this is the values joined by backslash, as encoded.
    public func string(_ tag: Tag) -> String? {
        guard let element = self[tag], element.vr.isText || element.vr == .UN, let bytes = element.bytes,
              let text = decodedText(bytes, vr: element.vr) else { return nil }
        return text.trimmingSpacesAndNUL(leading: element.vr.hasInsignificantLeadingSpaces)
    }

    /// The values of a multi-valued text element, split at backslash (PS3.5 §6.4), each trimmed.
    /// LT, ST, UT and UR hold a single value.
    public func strings(_ tag: Tag) -> [String]? {
        guard let element = self[tag], element.vr.isText, let bytes = element.bytes,
              let text = decodedText(bytes, vr: element.vr) else { return nil }
        let leading = element.vr.hasInsignificantLeadingSpaces
        guard element.vr.allowsMultipleTextValues else { return [text.trimmingSpacesAndNUL(leading: leading)] }
        if text.isEmpty { return [] }
        return text.split(separator: "\\", omittingEmptySubsequences: false).map {
            String($0).trimmingSpacesAndNUL(leading: leading)
        }
    }

    /// Only some VRs are decoded with the Specific Character Set; reading (and parsing) it for
    /// the others - UIDs, dates, codes, numbers - was a quarter of a received file's second parse.
    private func decodedText(_ bytes: [UInt8], vr: VR) -> String? {
        let characterSet = vr.usesSpecificCharacterSet ? specificCharacterSet : .defaultRepertoire
        return characterSet.decode(bytes, vr: vr)
    }

    /// First value of a US (or OW, or UN of two bytes) element.
    public func uint16(_ tag: Tag) -> UInt16? { uint16s(tag)?.first }

    public func uint16s(_ tag: Tag) -> [UInt16]? {
        guard let element = self[tag], [.US, .OW, .UN].contains(element.vr), let bytes = element.bytes else { return nil }
        return littleEndianWords(bytes, as: UInt16.self)
    }

    /// First value of a UL (or OL, or UN of four bytes) element.
    public func uint32(_ tag: Tag) -> UInt32? { uint32s(tag)?.first }

    public func uint32s(_ tag: Tag) -> [UInt32]? {
        guard let element = self[tag], [.UL, .OL, .UN].contains(element.vr), let bytes = element.bytes else { return nil }
        return littleEndianWords(bytes, as: UInt32.self)
    }

    /// First value of an integer element: US, SS, UL, SL, SV, UV (in range) or IS.
    public func int(_ tag: Tag) -> Int? { ints(tag)?.first }

    public func ints(_ tag: Tag) -> [Int]? {
        guard let element = self[tag] else { return nil }
        if element.vr == .IS { return strings(tag)?.compactMap { Int($0) } }
        guard let bytes = element.bytes else { return nil }
        switch element.vr {
        case .US: return littleEndianWords(bytes, as: UInt16.self).map(Int.init)
        case .SS: return littleEndianWords(bytes, as: Int16.self).map(Int.init)
        case .UL: return littleEndianWords(bytes, as: UInt32.self).map(Int.init)
        case .SL: return littleEndianWords(bytes, as: Int32.self).map(Int.init)
        case .SV: return littleEndianWords(bytes, as: Int64.self).map(Int.init)
        case .UV: return littleEndianWords(bytes, as: UInt64.self).compactMap { Int(exactly: $0) }
        default: return nil
        }
    }

    /// First value of a floating point element: FL, FD or DS.
    public func double(_ tag: Tag) -> Double? { doubles(tag)?.first }

    public func doubles(_ tag: Tag) -> [Double]? {
        guard let element = self[tag] else { return nil }
        if element.vr == .DS { return strings(tag)?.compactMap { Double($0) } }
        guard let bytes = element.bytes else { return nil }
        switch element.vr {
        case .FL, .OF: return littleEndianWords(bytes, as: UInt32.self).map { Double(Float(bitPattern: $0)) }
        case .FD, .OD: return littleEndianWords(bytes, as: UInt64.self).map { Double(bitPattern: $0) }
        default: return nil
        }
    }

    /// Values of an AT element.
    public func tags(_ tag: Tag) -> [Tag]? {
        guard let element = self[tag], element.vr == .AT, let bytes = element.bytes else { return nil }
        let halves = littleEndianWords(bytes, as: UInt16.self)
        return stride(from: 0, to: halves.count - 1, by: 2).map { Tag(halves[$0], halves[$0 + 1]) }
    }

    /// The raw value bytes (little-endian for binary VRs), as held in memory.
    public func bytes(_ tag: Tag) -> [UInt8]? { self[tag]?.bytes }

    /// The items of a sequence, each inheriting this data set's Specific Character Set.
    public func items(_ tag: Tag) -> [DataSet]? {
        guard let items = self[tag]?.items else { return nil }
        let characterSet = specificCharacterSet
        return items.map { item in
            var dataSet = item.dataSet
            dataSet.inheritedCharacterSet = characterSet
            return dataSet
        }
    }
}

/// Whole little-endian words of `bytes`; a trailing partial word is ignored.
func littleEndianWords<T: FixedWidthInteger>(_ bytes: [UInt8], as type: T.Type) -> [T] {
    let size = MemoryLayout<T>.size
    return bytes.withUnsafeBytes { raw in
        (0..<(raw.count / size)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
    }
}

extension String {
    /// Without trailing spaces and NULs (value padding), and without leading spaces if asked.
    func trimmingSpacesAndNUL(leading: Bool) -> String {
        var view = Substring(self)
        while let last = view.last, last == " " || last == "\0" { view.removeLast() }
        if leading { while let first = view.first, first == " " { view.removeFirst() } }
        return String(view)
    }
}
