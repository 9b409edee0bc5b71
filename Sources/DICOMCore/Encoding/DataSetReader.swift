/// Parses a data set (PS3.5 §7) in a given transfer syntax from a `ByteReader`.
///
/// A plain value type with no I/O beyond its byte source. Recursion is bounded by
/// `ReadOptions.maximumSequenceDepth`, lengths are checked against the bytes really available,
/// and every error names the byte offset where it was found.
///
/// Input that breaks the ascending-tag rule (PS3.5 §7.1) is accepted and normalised: elements
/// are put in tag order, and of two elements with one tag the later is kept.
public struct DataSetReader {
    /// The underlying reader; for a deflated syntax it reads the inflated stream.
    public private(set) var reader: ByteReader
    public let transferSyntax: TransferSyntax
    public let options: ReadOptions
    /// The tag at which `read()` stopped because of `ReadOptions.stopBeforeTag`, if it did.
    public private(set) var stoppedBeforeTag: Tag?
    /// For File Meta Information: stop at the first top-level element outside this group, or at
    /// `boundary` (the end the group length gives) when an element starts exactly there.
    var onlyGroup: UInt16?
    var boundary: Int?
    /// What has been parsed so far, against the `ReadOptions` bounds.
    private var elementCount = 0
    private var itemCount = 0
    private var loadedBytes = 0

    public init(reader: ByteReader, transferSyntax: TransferSyntax, options: ReadOptions = .complete) throws {
        if transferSyntax.isDeflated {
            let inflating = try InflateByteSource(upstream: reader, outputLimit: options.maximumInflatedSize)
            self.reader = ByteReader(source: inflating)
        } else {
            self.reader = reader
        }
        self.transferSyntax = transferSyntax
        self.options = options
    }

    public init(bytes: [UInt8], transferSyntax: TransferSyntax, options: ReadOptions = .complete) throws {
        try self.init(reader: ByteReader(bytes: bytes), transferSyntax: transferSyntax, options: options)
    }

    /// Reads top-level elements to the end of the input (or to `stopBeforeTag`).
    public mutating func read() throws -> DataSet {
        try readElements(until: nil, depth: 0, encoding: ElementEncoding(transferSyntax), context: .topLevel,
                         retain: true)
    }

    private enum Context { case topLevel, definedLengthItem, undefinedLengthItem }

    // MARK: Data sets and items

    /// `retain` false: the elements are parsed and checked but not kept (see `ReadOptions.retainedTags`).
    private mutating func readElements(until end: Int?, depth: Int, encoding: ElementEncoding,
                                       context: Context, retain: Bool) throws -> DataSet {
        var elements: [DataElement] = []
        var dataSet: DataSet { DataSet(elements) }
        while true {
            if let end {
                if reader.offset == end { return dataSet }
                if reader.offset > end { throw DICOMError(.itemOverrunsSequence(.item), offset: reader.offset) }
            } else if try reader.isAtEnd() {
                if context == .topLevel { return dataSet }
                throw DICOMError(.truncated, offset: reader.offset)
            }
            let elementStart = reader.offset
            if context == .topLevel, try shouldStop(encoding) { return dataSet }
            let tag = try readTag(encoding)
            if tag == .itemDelimitationItem {
                _ = try reader.readUInt32(bigEndian: encoding.isBigEndian)
                if context == .undefinedLengthItem { return dataSet }
                throw DICOMError(.unexpectedTag(tag), offset: elementStart)
            }
            if tag.group == 0xFFFE { throw DICOMError(.unexpectedTag(tag), offset: elementStart) }
            elementCount += 1
            try check(elementCount, against: options.maximumElementCount, "data elements", at: elementStart)
            let keep = retain && (context != .topLevel || options.retainedTags?.contains(tag) ?? true)
            let element = try readElement(tag: tag, start: elementStart, limit: end, depth: depth, encoding: encoding,
                                          retain: keep)
            if keep { elements.append(element) }
        }
    }

    /// Whether the top-level element starting here is one `read()` was asked to stop before.
    private mutating func shouldStop(_ encoding: ElementEncoding) throws -> Bool {
        if let boundary, reader.offset == boundary { return true }
        guard options.stopBeforeTag != nil || onlyGroup != nil, let head = try reader.peek(4) else { return false }
        let tag = tagFrom(head, bigEndian: encoding.isBigEndian)
        if let onlyGroup, tag.group != onlyGroup { return true }
        if let stop = options.stopBeforeTag, tag >= stop {
            stoppedBeforeTag = tag
            return true
        }
        return false
    }

    private mutating func readTag(_ encoding: ElementEncoding) throws -> Tag {
        let group = try reader.readUInt16(bigEndian: encoding.isBigEndian)
        let element = try reader.readUInt16(bigEndian: encoding.isBigEndian)
        return Tag(group, element)
    }

    // MARK: Elements

    private mutating func check(_ count: Int, against limit: Int, _ what: String, at offset: Int) throws {
        if count > limit { throw DICOMError(.structureLimitExceeded(what, limit: limit), offset: offset) }
    }

    /// Reads `count` value bytes into memory, within `ReadOptions.maximumLoadedBytes`.
    private mutating func load(_ count: Int, at offset: Int) throws -> [UInt8] {
        loadedBytes += count
        if let limit = options.maximumLoadedBytes { try check(loadedBytes, against: limit, "loaded value bytes", at: offset) }
        return try reader.readBytes(count)
    }

    /// A value that is not kept: an empty placeholder for the caller to drop.
    private static func dropped(_ tag: Tag, _ vr: VR) -> DataElement { DataElement(tag: tag, vr: vr, value: .bytes([])) }

    private mutating func readElement(tag: Tag, start: Int, limit: Int?, depth: Int,
                                      encoding: ElementEncoding, retain: Bool) throws -> DataElement {
        let (vr, length) = try readHeader(tag: tag, encoding: encoding)
        if length == undefinedLength {
            return try readUndefinedLength(tag: tag, vr: vr, start: start, depth: depth, encoding: encoding, retain: retain)
        }
        let valueStart = reader.offset
        let count = Int(length)
        if let limit, valueStart + count > limit {
            throw DICOMError(.itemOverrunsSequence(tag), offset: start)
        }
        if let available = reader.remainingByteCount, available < count {
            throw DICOMError(.lengthBeyondInput(claimed: UInt64(length)), offset: start)
        }
        if vr == .SQ {
            let items = try readItems(of: tag, until: valueStart + count, depth: depth + 1, encoding: encoding,
                                      retain: retain)
            return DataElement(tag: tag, vr: vr, value: .sequence(items))
        }
        if !retain {
            try reader.skip(count)
            return Self.dropped(tag, vr)
        }
        if let threshold = options.bulkDataThreshold, count > threshold {
            try reader.skip(count)
            return DataElement(tag: tag, vr: vr, value: .bulkData(BulkDataReference(offset: valueStart, length: count)))
        }
        var bytes = try load(count, at: start)
        if encoding.isBigEndian { swapWordBytes(&bytes, vr: vr) }
        return DataElement(tag: tag, vr: vr, value: .bytes(bytes))
    }

    /// VR and value length of the element header after the tag (PS3.5 §7.1.2, §7.1.3).
    private mutating func readHeader(tag: Tag, encoding: ElementEncoding) throws -> (VR, UInt32) {
        guard encoding.isExplicitVR else {
            return (implicitVR(for: tag), try reader.readUInt32(bigEndian: encoding.isBigEndian))
        }
        let codeOffset = reader.offset
        guard let code = try reader.peek(2) else { throw DICOMError(.truncated, offset: codeOffset) }
        let first = code[code.startIndex]
        let second = code[code.startIndex + 1]
        try reader.skip(2)
        guard let vr = VR(code: (first, second)) else {
            // A VR this implementation does not know: PS3.5 §6.2.2 has every VR added since
            // 2007 use the 32-bit length form, so read it that way and keep the value as UN.
            guard isUpperCaseLetter(first) && isUpperCaseLetter(second) else {
                throw DICOMError(.invalidVR(first, second), offset: codeOffset)
            }
            try reader.skip(2)
            return (.UN, try reader.readUInt32(bigEndian: encoding.isBigEndian))
        }
        if vr.hasLongExplicitLength {
            try reader.skip(2)
            return (vr, try reader.readUInt32(bigEndian: encoding.isBigEndian))
        }
        return (vr, UInt32(try reader.readUInt16(bigEndian: encoding.isBigEndian)))
    }

    private mutating func readUndefinedLength(tag: Tag, vr: VR, start: Int, depth: Int,
                                              encoding: ElementEncoding, retain: Bool) throws -> DataElement {
        if tag == .pixelData && vr != .SQ {
            let pixels = try readEncapsulatedPixelData(start: start, encoding: encoding, retain: retain)
            return DataElement(tag: tag, vr: vr, value: .encapsulated(pixels), hasUndefinedLength: true)
        }
        switch vr {
        case .SQ:
            let items = try readItems(of: tag, until: nil, depth: depth + 1, encoding: encoding, retain: retain)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items), hasUndefinedLength: true)
        case .UN:
            // A sequence whose VR was unknown to the writer: its content is Implicit VR Little
            // Endian (PS3.5 §6.2.2 note, CP-246). Read from an implicit syntax, it is a sequence.
            let items = try readItems(of: tag, until: nil, depth: depth + 1, encoding: .implicitLittleEndian,
                                      retain: retain)
            return DataElement(tag: tag, vr: encoding.isExplicitVR ? .UN : .SQ, value: .sequence(items),
                               hasUndefinedLength: true)
        default:
            throw DICOMError(.undefinedLengthNotAllowed(tag), offset: start)
        }
    }

    // MARK: Sequences

    /// Items up to `end` (defined length) or to the Sequence Delimitation Item (PS3.5 §7.5).
    private mutating func readItems(of sequence: Tag, until end: Int?, depth: Int,
                                    encoding: ElementEncoding, retain: Bool) throws -> [SequenceItem] {
        guard depth <= options.maximumSequenceDepth else {
            throw DICOMError(.nestingTooDeep(limit: options.maximumSequenceDepth), offset: reader.offset)
        }
        var items: [SequenceItem] = []
        while true {
            if let end, reader.offset >= end {
                if reader.offset > end { throw DICOMError(.itemOverrunsSequence(sequence), offset: reader.offset) }
                return items
            }
            let itemStart = reader.offset
            let tag = try readTag(encoding)
            let length = try reader.readUInt32(bigEndian: encoding.isBigEndian)
            if tag == .sequenceDelimitationItem && end == nil { return items }
            guard tag == .item else { throw DICOMError(.unexpectedTag(tag), offset: itemStart) }
            itemCount += 1
            try check(itemCount, against: options.maximumItemCount, "items", at: itemStart)
            if length == undefinedLength {
                let dataSet = try readElements(until: nil, depth: depth, encoding: encoding,
                                               context: .undefinedLengthItem, retain: retain)
                if retain { items.append(SequenceItem(dataSet, hasUndefinedLength: true)) }
                continue
            }
            let itemEnd = reader.offset + Int(length)
            if let end, itemEnd > end { throw DICOMError(.itemOverrunsSequence(sequence), offset: itemStart) }
            if let available = reader.remainingByteCount, available < Int(length) {
                throw DICOMError(.lengthBeyondInput(claimed: UInt64(length)), offset: itemStart)
            }
            let dataSet = try readElements(until: itemEnd, depth: depth, encoding: encoding,
                                           context: .definedLengthItem, retain: retain)
            if retain { items.append(SequenceItem(dataSet)) }
        }
    }

    /// Basic Offset Table item, fragment items, Sequence Delimitation Item (PS3.5 §A.4).
    private mutating func readEncapsulatedPixelData(start: Int, encoding: ElementEncoding, retain: Bool) throws
        -> EncapsulatedPixelData {
        var offsetTable: [UInt8]?
        var fragments: [EncapsulatedPixelData.Fragment] = []
        while true {
            let itemStart = reader.offset
            let tag = try readTag(encoding)
            let length = try reader.readUInt32(bigEndian: encoding.isBigEndian)
            if tag == .sequenceDelimitationItem, offsetTable != nil {
                return EncapsulatedPixelData(basicOffsetTable: offsetTable ?? [], fragments: fragments)
            }
            guard tag == .item else { throw DICOMError(.unexpectedTag(tag), offset: itemStart) }
            guard length != undefinedLength else {
                throw DICOMError(.undefinedLengthNotAllowed(tag), offset: itemStart)
            }
            itemCount += 1
            try check(itemCount, against: options.maximumItemCount, "items", at: itemStart)
            let count = Int(length)
            if let available = reader.remainingByteCount, available < count {
                throw DICOMError(.lengthBeyondInput(claimed: UInt64(length)), offset: itemStart)
            }
            if !retain {
                try reader.skip(count)
                if offsetTable == nil { offsetTable = [] }
            } else if offsetTable == nil {
                var table = try load(count, at: itemStart)
                if encoding.isBigEndian { swapWordBytes(&table, vr: .UL) }
                offsetTable = table
            } else if let threshold = options.fragmentBulkDataThreshold ?? options.bulkDataThreshold, count > threshold {
                let valueStart = reader.offset
                try reader.skip(count)
                fragments.append(.bulkData(BulkDataReference(offset: valueStart, length: count)))
            } else {
                fragments.append(.bytes(try load(count, at: itemStart)))
            }
        }
    }
}

/// Whether a byte is "A"…"Z", as both bytes of a VR code are (PS3.5 §6.2).
func isUpperCaseLetter(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

/// A tag from its four encoded bytes.
func tagFrom(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> Tag {
    let i = bytes.startIndex
    let (g0, g1, e0, e1) = (UInt16(bytes[i]), UInt16(bytes[i + 1]), UInt16(bytes[i + 2]), UInt16(bytes[i + 3]))
    return bigEndian ? Tag(g0 << 8 | g1, e0 << 8 | e1) : Tag(g1 << 8 | g0, e1 << 8 | e0)
}
