/// How much of a data set to read, and the limits that keep hostile input harmless.
public struct ReadOptions: Sendable {
    /// Stop at the first top-level element whose tag is not below this one (e.g. Pixel Data),
    /// leaving the input positioned at that element's first byte.
    public var stopBeforeTag: Tag?
    /// Values (and encapsulated fragments) longer than this many bytes are not loaded; the element
    /// holds a `BulkDataReference` to their place in the input instead. Nil loads everything.
    public var bulkDataThreshold: Int?
    /// Encapsulated fragments longer than this many bytes stay in the input; nil: as
    /// `bulkDataThreshold`. A frame-by-frame reader sets 0, so that even a multi-frame object of
    /// small frames is read one frame at a time.
    public var fragmentBulkDataThreshold: Int?
    /// Deepest sequence nesting accepted; deeper input is an error, never a stack overflow.
    public var maximumSequenceDepth: Int
    /// Most bytes a deflated data set may inflate to (PS3.5 §A.5), against deflate bombs.
    public var maximumInflatedSize: Int
    /// Most data elements in the data set, nested ones included. A 3,000-frame enhanced MR has
    /// a few hundred thousand; a data set of millions of empty elements only exhausts memory.
    public var maximumElementCount: Int
    /// Most sequence items and encapsulated fragments in the data set, nested ones included.
    public var maximumItemCount: Int
    /// Most value bytes loaded into memory (values skipped as bulk data or not retained do not
    /// count). Nil: no bound beyond the input's size.
    public var maximumLoadedBytes: Int?
    /// When set, only these top-level elements are kept; everything else, sequence contents
    /// included, is parsed and checked but dropped, so memory follows what the caller needs.
    public var retainedTags: Set<Tag>?

    public static let defaultMaximumElementCount = 4_000_000
    public static let defaultMaximumItemCount = 1_000_000

    public init(stopBeforeTag: Tag? = nil, bulkDataThreshold: Int? = nil,
                maximumSequenceDepth: Int = 64, maximumInflatedSize: Int = 256 * 1024 * 1024,
                maximumElementCount: Int = ReadOptions.defaultMaximumElementCount,
                maximumItemCount: Int = ReadOptions.defaultMaximumItemCount,
                maximumLoadedBytes: Int? = nil, retainedTags: Set<Tag>? = nil, fragmentBulkDataThreshold: Int? = nil) {
        self.stopBeforeTag = stopBeforeTag
        self.fragmentBulkDataThreshold = fragmentBulkDataThreshold
        self.bulkDataThreshold = bulkDataThreshold
        self.maximumSequenceDepth = maximumSequenceDepth
        self.maximumInflatedSize = maximumInflatedSize
        self.maximumElementCount = maximumElementCount
        self.maximumItemCount = maximumItemCount
        self.maximumLoadedBytes = maximumLoadedBytes
        self.retainedTags = retainedTags
    }

    /// What an indexer reads: the whole structure verified, bulk values skipped, only `tags`
    /// (and the Specific Character Set that decodes them) kept.
    public static func indexing(retaining tags: Set<Tag>) -> ReadOptions {
        ReadOptions(bulkDataThreshold: 64 * 1024, maximumLoadedBytes: 16 * 1024 * 1024,
                    retainedTags: tags.union([.specificCharacterSet]))
    }

    /// Reads everything into memory.
    public static let complete = ReadOptions()
    /// Reads the header only: stops before Pixel Data, as an indexer needs.
    public static let headerOnly = ReadOptions(stopBeforeTag: .pixelData)
}

/// Byte order and VR encoding of the element headers being read or written. Differs from the
/// transfer syntax inside a UN element of undefined length, which is Implicit VR Little Endian
/// whatever the enclosing syntax (PS3.5 §6.2.2, CP-246).
struct ElementEncoding: Equatable {
    var isExplicitVR: Bool
    var isBigEndian: Bool

    init(_ syntax: TransferSyntax) {
        isExplicitVR = syntax.isExplicitVR
        isBigEndian = syntax.isBigEndian
    }

    init(isExplicitVR: Bool, isBigEndian: Bool) {
        self.isExplicitVR = isExplicitVR
        self.isBigEndian = isBigEndian
    }

    static let implicitLittleEndian = ElementEncoding(isExplicitVR: false, isBigEndian: false)
}

/// Undefined length (PS3.5 §7.1.1).
let undefinedLength: UInt32 = 0xFFFF_FFFF
