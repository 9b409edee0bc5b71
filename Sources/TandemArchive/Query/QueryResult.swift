import DICOMCore

/// An attribute of a match: its VR and values, decoded to Unicode (multi-valued attributes
/// such as Modalities in Study hold several). No values means zero length: the attribute is
/// absent from the entity, or a key the index does not keep (PS3.4 C.4.1.1.3.2 lets the SCP
/// answer those empty).
public struct QueryValue: Sendable, Equatable {
    public var vr: VR
    public var values: [String]
    /// The items of a sequence the index keeps (`vr` SQ), each attribute with its value.
    public var items: [[Tag: QueryValue]]

    public init(vr: VR, values: [String], items: [[Tag: QueryValue]] = []) {
        self.vr = vr
        self.values = values
        self.items = items
    }

    /// The values joined by backslash, as a DICOM text value encodes them.
    public var text: String { values.joined(separator: "\\") }
}

/// Where a match sits in the query's order (the entity's row id): pass the last one of a page
/// as `QueryPaging.after` to continue without re-reading what came before.
public struct QueryPosition: Sendable, Hashable, Comparable {
    let rowID: Int64

    public static func < (lhs: QueryPosition, rhs: QueryPosition) -> Bool { lhs.rowID < rhs.rowID }
}

/// One matching entity (a patient, study, series or instance), with a value for every return tag.
public struct QueryMatch: Sendable, Equatable {
    public var level: QueryLevel
    public var position: QueryPosition
    /// Every tag of `QueryRequest.returnTags`.
    public var attributes: [Tag: QueryValue]

    public subscript(tag: Tag) -> QueryValue? { attributes[tag] }

    /// The attribute's single value, nil when it is empty or absent.
    public func string(_ tag: Tag) -> String? {
        guard let values = attributes[tag]?.values, !values.isEmpty else { return nil }
        return values.joined(separator: "\\")
    }
}

/// Which part of the matches to read. Matches come in a fixed order (the entity's insertion
/// order), so pages do not overlap or skip while the index is unchanged.
public struct QueryPaging: Sendable, Equatable {
    /// The most matches one call returns; a C-FIND SCP reads page after page.
    public static let maximumLimit = 10_000

    public var limit: Int
    public var offset: Int
    /// Only matches after this one (keyset paging; cheaper than a large offset).
    public var after: QueryPosition?

    public init(limit: Int = 100, offset: Int = 0, after: QueryPosition? = nil) {
        self.limit = limit
        self.offset = offset
        self.after = after
    }

    func validate() throws(QueryError) {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalidPaging("limit \(limit) is not within 1…\(Self.maximumLimit)")
        }
        guard offset >= 0 else { throw .invalidPaging("offset \(offset) is negative") }
    }
}

/// A page of matches.
public struct QueryPage: Sendable, Equatable {
    public var matches: [QueryMatch]
    /// More matches follow the last one.
    public var hasMore: Bool
}
