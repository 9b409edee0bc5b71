import DICOMCore
import TandemArchive

/// A QIDO-RS search (PS3.18 §10.6.1) read from its resource and query parameters: the keys to
/// match, the attributes to return, paging. Pure: every malformed or unknown parameter is a
/// `QidoQuery.Failure` (answered 400) before the index is read; matching itself is the archive's
/// query module, the same as C-FIND's.
struct QidoQuery: Equatable {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    var level: QueryLevel
    var keys: [QueryKey]
    var paging: QueryPaging
    /// The limit asked for was above the maximum and was lowered to it.
    var limitLowered: Bool
    var fuzzyMatchingAsked: Bool

    static let maximumParameters = 256
    static let maximumValueLength = 4_096
    static let defaultLimit = 1_000

    /// - Parameters:
    ///   - fixed: the Unique Keys the path names (`/studies/{uid}/series`), matched as single values.
    init(level: QueryLevel, fixed: [(Tag, String)], parameters: [(key: String, value: String)]) throws(Failure) {
        guard parameters.count <= Self.maximumParameters else {
            throw Failure("\(parameters.count) query parameters exceed \(Self.maximumParameters)")
        }
        self.level = level
        var matching: [QueryKey] = fixed.map { QueryKey($0.0, $0.1) }
        var included: [Tag] = []
        var limit = Self.defaultLimit, offset = 0
        limitLowered = false
        fuzzyMatchingAsked = false
        for (name, value) in parameters {
            guard value.utf8.count <= Self.maximumValueLength else {
                throw Failure("the value of \(name.prefix(64)) is longer than \(Self.maximumValueLength) bytes")
            }
            switch name {
            case "limit":
                guard let number = Int(value), number >= 1 else { throw Failure("limit must be a positive integer") }
                limit = min(number, QueryPaging.maximumLimit)
                limitLowered = number > QueryPaging.maximumLimit
            case "offset":
                guard let number = Int(value), number >= 0 else { throw Failure("offset must be a non-negative integer") }
                offset = number
            case "fuzzymatching":
                guard value == "true" || value == "false" else { throw Failure("fuzzymatching must be true or false") }
                fuzzyMatchingAsked = value == "true"
            case "includefield":
                for field in value.split(separator: ",", omittingEmptySubsequences: false) {
                    if field == "all" {
                        included += QueryAttributes.supported(at: level, in: .studyRoot)
                    } else {
                        included.append(try Self.tag(String(field)))
                    }
                }
            default:
                let tag = try Self.tag(name)
                guard QueryAttributes.vr(of: tag) != nil else {
                    throw Failure("\(name) is not an attribute this archive can search on")
                }
                guard !matching.contains(where: { $0.tag == tag }) else {
                    throw Failure("\(name) is given more than once (or also by the path)")
                }
                matching.append(QueryKey(tag, value))
            }
        }
        var keys = matching
        let named = Set(matching.map(\.tag))
        for tag in Self.defaultReturnTags(level: level, fixedLevels: fixed.map(\.0)) + included
        where !named.contains(tag) && !keys.contains(where: { $0.tag == tag }) {
            keys.append(QueryKey(tag))
        }
        self.keys = keys
        paging = QueryPaging(limit: limit, offset: offset)
    }

    /// The archive's query for this search (Study Root, relational: PS3.18 §10.6.1 searches
    /// series and instances across studies).
    func request(options: QueryOptions) throws(QueryError) -> QueryRequest {
        var options = options
        options.relational = true
        return try QueryRequest(model: .studyRoot, level: level, keys: keys, options: options)
    }

    /// The attributes answered without `includefield` (PS3.18 Tables 10.6.3-3 to -5, those the
    /// index keeps): the level's own, and those of each level above that the path does not fix.
    static func defaultReturnTags(level: QueryLevel, fixedLevels: [Tag]) -> [Tag] {
        var tags: [Tag] = []
        for upper in QueryInformationModel.studyRoot.levels where upper <= level {
            if upper < level, fixedLevels.contains(upper.uniqueKey) { continue }
            tags += QueryAttributes.keys(of: upper, in: .studyRoot)
        }
        return tags
    }

    /// An attribute named by keyword (`PatientName`) or tag (`00100010`); sequence paths
    /// (`a.b`) are not supported.
    static func tag(_ name: String) throws(Failure) -> Tag {
        if name.count == 8, let value = UInt32(name, radix: 16), name.allSatisfy(\.isHexDigit) {
            let tag = Tag(value)
            guard DataDictionary.entry(for: tag) != nil else { throw Failure("\(name) is not a standard attribute") }
            return tag
        }
        if name.contains(".") { throw Failure("\(name.prefix(64)): sequence attribute paths are not supported") }
        guard let tag = DataDictionary.tag(forKeyword: name) else {
            throw Failure("unknown parameter or attribute \(name.prefix(64))")
        }
        return tag
    }
}
