/// One data element (PS3.5 §7.1): tag, VR and value.
///
/// Binary values are held in little-endian byte order whatever the transfer syntax they were
/// read from; the big-endian codec swaps per VR on the way in and out (PS3.5 §7.3).
public struct DataElement: Hashable, Sendable {
    public var tag: Tag
    public var vr: VR
    public var value: ElementValue
    /// True when the element was (or is to be) encoded with undefined length FFFFFFFFH:
    /// sequences (§7.5.2), encapsulated pixel data (§A.4) and UN holding a sequence (CP-246).
    public var hasUndefinedLength: Bool

    public init(tag: Tag, vr: VR, value: ElementValue, hasUndefinedLength: Bool = false) {
        self.tag = tag
        self.vr = vr
        self.value = value
        self.hasUndefinedLength = hasUndefinedLength
    }

    /// The raw value bytes, if the value is held in memory as bytes.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = value { return bytes }
        return nil
    }

    /// The items, if the value is a sequence.
    public var items: [SequenceItem]? {
        if case .sequence(let items) = value { return items }
        return nil
    }
}

/// What a data element holds.
public enum ElementValue: Hashable, Sendable {
    /// A value held in memory (little-endian for binary VRs).
    case bytes([UInt8])
    /// Items of a sequence (VR SQ, or UN of undefined length).
    case sequence([SequenceItem])
    /// Encapsulated (compressed) pixel data: offset table and fragments (PS3.5 §A.4).
    case encapsulated(EncapsulatedPixelData)
    /// A value left in the input because it was larger than the reader's bulk-data threshold.
    case bulkData(BulkDataReference)
}

/// One item of a sequence (PS3.5 §7.5): a nested data set.
public struct SequenceItem: Hashable, Sendable {
    public var dataSet: DataSet
    /// True when the item was (or is to be) encoded with undefined length and an
    /// Item Delimitation Item (FFFE,E00D).
    public var hasUndefinedLength: Bool

    public init(_ dataSet: DataSet, hasUndefinedLength: Bool = false) {
        self.dataSet = dataSet
        self.hasUndefinedLength = hasUndefinedLength
    }
}

/// Pixel data of an encapsulated transfer syntax (PS3.5 §A.4): the Basic Offset Table (first
/// item, possibly empty) and the fragments, each carried through untouched.
public struct EncapsulatedPixelData: Hashable, Sendable {
    public var basicOffsetTable: [UInt8]
    public var fragments: [Fragment]

    public init(basicOffsetTable: [UInt8] = [], fragments: [Fragment]) {
        self.basicOffsetTable = basicOffsetTable
        self.fragments = fragments
    }

    public enum Fragment: Hashable, Sendable {
        case bytes([UInt8])
        case bulkData(BulkDataReference)
    }
}

/// Where a value that was not loaded lies in the input. The bytes there are in the byte order of
/// the transfer syntax read. For a Part 10 file `offset` counts from the start of the file; for a
/// deflated data set it counts in the inflated stream and cannot be used to seek in the file.
public struct BulkDataReference: Hashable, Sendable {
    public var offset: Int
    public var length: Int

    public init(offset: Int, length: Int) {
        self.offset = offset
        self.length = length
    }
}
