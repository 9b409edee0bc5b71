import DICOMCore

/// Why a query cannot be run. Each case names the offending attribute where there is one, so
/// the C-FIND SCP can answer with an Offending Element and the web a precise 400.
///
/// Suggested mapping: `unknownLevel`, `missingLevel`, `levelNotInModel` → C-FIND A900
/// (Identifier does not match SOP Class); the others → C000 (Unable to process) with the
/// description as Error Comment; every case → HTTP 400 for QIDO-RS.
public enum QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The identifier has no Query/Retrieve Level (0008,0052).
    case missingLevel
    /// The level is not one of PATIENT, STUDY, SERIES, IMAGE.
    case unknownLevel(String)
    /// The level exists but not in this information model (PATIENT in Study Root).
    case levelNotInModel(QueryLevel, QueryInformationModel)
    /// A tag that is neither in the data dictionary nor a standard attribute (private, or undefined).
    case unknownAttribute(Tag)
    /// A known attribute of a level below the query level (e.g. SOP Instance UID at STUDY level).
    case keyNotAllowed(Tag, level: QueryLevel)
    /// The element's VR is not the one the dictionary gives the attribute.
    case wrongVR(Tag, expected: VR, found: VR)
    /// A value whose length exceeds what the VR allows.
    case valueTooLong(Tag, length: Int, maximum: Int)
    /// A value that is not a valid match for its VR (a bad date, a range with two hyphens,
    /// a wildcard in a UID, several values where one is expected…).
    case malformedValue(Tag, String)
    /// Hierarchical search (PS3.4 C.4.1.2.1): the Unique Key of a level above the query level
    /// is absent or not a single value or UID list.
    case missingUpperLevelUniqueKey(Tag, level: QueryLevel)
    /// A UID list longer than `QueryRequest.maximumUIDListCount`.
    case tooManyValues(Tag, count: Int, maximum: Int)
    /// Paging outside its bounds (negative offset, limit below 1 or above the maximum).
    case invalidPaging(String)

    /// The attribute the error is about, for Offending Element (0000,0901).
    public var offendingElement: Tag? {
        switch self {
        case .missingLevel, .unknownLevel, .levelNotInModel: .queryRetrieveLevel
        case let .unknownAttribute(tag), let .keyNotAllowed(tag, _), let .wrongVR(tag, _, _),
             let .valueTooLong(tag, _, _), let .malformedValue(tag, _), let .missingUpperLevelUniqueKey(tag, _),
             let .tooManyValues(tag, _, _):
            tag
        case .invalidPaging: nil
        }
    }

    public var description: String {
        switch self {
        case .missingLevel: "no Query/Retrieve Level (0008,0052)"
        case let .unknownLevel(text): "unknown Query/Retrieve Level \(text.debugDescription)"
        case let .levelNotInModel(level, model): "level \(level.rawValue) does not exist in the \(model) model"
        case let .unknownAttribute(tag): "\(tag) is not a standard attribute"
        case let .keyNotAllowed(tag, level): "\(Self.name(tag)) is not a key at level \(level.rawValue)"
        case let .wrongVR(tag, expected, found): "\(Self.name(tag)) has VR \(found.rawValue), expected \(expected.rawValue)"
        case let .valueTooLong(tag, length, maximum):
            "\(Self.name(tag)): value of \(length) characters exceeds \(maximum)"
        case let .malformedValue(tag, reason): "\(Self.name(tag)): \(reason)"
        case let .missingUpperLevelUniqueKey(tag, level):
            "hierarchical search at \(level.rawValue) needs \(Self.name(tag)) as a single value or UID list"
        case let .tooManyValues(tag, count, maximum): "\(Self.name(tag)): \(count) values exceed \(maximum)"
        case let .invalidPaging(reason): "paging: \(reason)"
        }
    }

    private static func name(_ tag: Tag) -> String {
        DataDictionary.entry(for: tag).map { "\($0.keyword) \(tag)" } ?? "\(tag)"
    }
}
