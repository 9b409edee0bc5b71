/// Building elements. Setters check that the value suits the VR, encode text with the data set's
/// Specific Character Set, pad to even length (PS3.5 §7.1.1) and replace any element already
/// held under the tag.
extension DataSet {
    /// Sets a text element (one value, or several already joined by backslash).
    public mutating func set(_ tag: Tag, vr: VR, string: String) throws {
        guard vr.isText else { throw DICOMError(.invalidValue(tag, "\(vr) is not a text VR")) }
        let characterSet = tag == Tag.specificCharacterSet ? .defaultRepertoire : specificCharacterSet
        guard var bytes = characterSet.encode(string, vr: vr) else {
            throw DICOMError(.invalidValue(tag, "text cannot be encoded in \(characterSet.terms)"))
        }
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        insert(DataElement(tag: tag, vr: vr, value: .bytes(bytes)))
    }

    /// Sets a multi-valued text element; values may not contain a backslash (PS3.5 §6.4).
    public mutating func set(_ tag: Tag, vr: VR, strings: [String]) throws {
        guard vr.allowsMultipleTextValues || strings.count <= 1 else {
            throw DICOMError(.invalidValue(tag, "\(vr) holds a single value"))
        }
        if vr.allowsMultipleTextValues, strings.contains(where: { $0.contains("\\") }) {
            throw DICOMError(.invalidValue(tag, "a value contains the separator \\"))
        }
        try set(tag, vr: vr, string: strings.joined(separator: "\\"))
    }

    public mutating func set(_ tag: Tag, vr: VR, uint16: UInt16) throws {
        try set(tag, vr: vr, ints: [Int(uint16)])
    }

    public mutating func set(_ tag: Tag, vr: VR, uint32: UInt32) throws {
        try set(tag, vr: vr, ints: [Int(uint32)])
    }

    public mutating func set(_ tag: Tag, vr: VR, int: Int) throws {
        try set(tag, vr: vr, ints: [int])
    }

    /// Sets an integer element: US, SS, UL, SL, SV, UV (binary, range-checked) or IS (text).
    public mutating func set(_ tag: Tag, vr: VR, ints: [Int]) throws {
        if vr == .IS {
            try set(tag, vr: .IS, strings: ints.map(String.init))
            return
        }
        var bytes: [UInt8] = []
        for value in ints {
            let fits: Bool
            switch vr {
            case .US: fits = appendLittleEndian(UInt16(exactly: value), to: &bytes)
            case .SS: fits = appendLittleEndian(Int16(exactly: value), to: &bytes)
            case .UL: fits = appendLittleEndian(UInt32(exactly: value), to: &bytes)
            case .SL: fits = appendLittleEndian(Int32(exactly: value), to: &bytes)
            case .SV: fits = appendLittleEndian(Int64(exactly: value), to: &bytes)
            case .UV: fits = appendLittleEndian(UInt64(exactly: value), to: &bytes)
            default: throw DICOMError(.invalidValue(tag, "\(vr) is not an integer VR"))
            }
            guard fits else { throw DICOMError(.invalidValue(tag, "\(value) does not fit \(vr)")) }
        }
        insert(DataElement(tag: tag, vr: vr, value: .bytes(bytes)))
    }

    public mutating func set(_ tag: Tag, vr: VR, double: Double) throws {
        try set(tag, vr: vr, doubles: [double])
    }

    /// Sets a floating point element: FL, FD (binary) or DS (text, at most 16 characters).
    public mutating func set(_ tag: Tag, vr: VR, doubles: [Double]) throws {
        switch vr {
        case .DS:
            let texts = doubles.map { decimalString($0) }
            guard doubles.allSatisfy(\.isFinite), texts.allSatisfy({ $0.utf8.count <= 16 }) else {
                throw DICOMError(.invalidValue(tag, "not representable as DS"))
            }
            try set(tag, vr: .DS, strings: texts)
        case .FL:
            var bytes: [UInt8] = []
            for value in doubles { _ = appendLittleEndian(Float(value).bitPattern, to: &bytes) }
            insert(DataElement(tag: tag, vr: vr, value: .bytes(bytes)))
        case .FD:
            var bytes: [UInt8] = []
            for value in doubles { _ = appendLittleEndian(value.bitPattern, to: &bytes) }
            insert(DataElement(tag: tag, vr: vr, value: .bytes(bytes)))
        default:
            throw DICOMError(.invalidValue(tag, "\(vr) is not a floating point VR"))
        }
    }

    /// Sets an AT element.
    public mutating func set(_ tag: Tag, tags: [Tag]) {
        var bytes: [UInt8] = []
        for value in tags {
            _ = appendLittleEndian(value.group, to: &bytes)
            _ = appendLittleEndian(value.element, to: &bytes)
        }
        insert(DataElement(tag: tag, vr: .AT, value: .bytes(bytes)))
    }

    /// Sets a value from raw bytes (little-endian for binary VRs), padded to even length.
    public mutating func set(_ tag: Tag, vr: VR, bytes: [UInt8]) throws {
        guard vr != .SQ else { throw DICOMError(.invalidValue(tag, "a sequence holds items, not bytes")) }
        var value = bytes
        if value.count % 2 == 1 { value.append(vr.paddingByte) }
        insert(DataElement(tag: tag, vr: vr, value: .bytes(value)))
    }

    /// Sets a sequence (VR SQ). Undefined length is what most writers use; either is valid.
    public mutating func set(_ tag: Tag, items: [DataSet], undefinedLength: Bool = true) {
        let sequenceItems = items.map { SequenceItem($0, hasUndefinedLength: undefinedLength) }
        insert(DataElement(tag: tag, vr: .SQ, value: .sequence(sequenceItems), hasUndefinedLength: undefinedLength))
    }

    /// The tag of `element` (00–FF) in the private block reserved by `creator` in `group`,
    /// reserving the next free block with a Private Creator element if there is none (PS3.5 §7.8.1).
    public mutating func privateTag(creator: String, group: UInt16, element: UInt8) throws -> Tag {
        guard group & 1 == 1, group > 0x0008 else { throw DICOMError(.invalidValue(Tag(group, 0), "not a private group")) }
        var firstFree: UInt16?
        for block in UInt16(0x10)...0xFF {
            let creatorTag = Tag(group, block)
            guard contains(creatorTag) else {
                if firstFree == nil { firstFree = block }
                continue
            }
            if string(creatorTag) == creator { return Tag(group, block << 8 | UInt16(element)) }
        }
        guard let block = firstFree else { throw DICOMError(.invalidValue(Tag(group, 0), "no free private block")) }
        try set(Tag(group, block), vr: .LO, string: creator)
        return Tag(group, block << 8 | UInt16(element))
    }
}

/// Appends a value in little-endian order; false when the conversion to the VR's type failed.
private func appendLittleEndian<T: FixedWidthInteger>(_ value: T?, to bytes: inout [UInt8]) -> Bool {
    guard let value else { return false }
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    return true
}

/// A DS value (PS3.5 Table 6.2-1): the shortest round-tripping decimal, without a needless ".0".
private func decimalString(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}
