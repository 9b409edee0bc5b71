import DICOMCore
import GRDB

extension ArchiveIndex {
    /// The matches of `request` in one page, read in one snapshot. C-FIND and QIDO-RS both answer
    /// from here; neither reads a file.
    public func find(_ request: QueryRequest, paging: QueryPaging = QueryPaging()) throws -> QueryPage {
        try paging.validate()
        let statement = QuerySQL(request, paging: paging)
        return try read { db in try statement.page(db) }
    }

    /// The async form of `find`, which suspends instead of blocking a cooperative thread.
    public func find(_ request: QueryRequest, paging: QueryPaging = QueryPaging()) async throws -> QueryPage {
        try paging.validate()
        return try await database.read { db in try QuerySQL(request, paging: paging).page(db) }
    }

    /// How many entities match, whatever the paging.
    public func countMatches(_ request: QueryRequest) throws -> Int {
        let statement = QuerySQL(request, paging: nil)
        return try read { db in try Int.fetchOne(db, sql: statement.countSQL, arguments: statement.arguments) ?? 0 }
    }
}

/// The SELECT of one query: the level's entity joined up to its patient, one WHERE term per
/// matching key, the return keys' values, in row id order.
struct QuerySQL {
    let request: QueryRequest
    let whereClause: String
    let arguments: StatementArguments
    let paging: QueryPaging?

    init(_ request: QueryRequest, paging: QueryPaging?) {
        self.request = request
        self.paging = paging
        var terms: [String] = [], arguments: StatementArguments = []
        // Instances whose file is still being flushed are not reported yet; the study and series
        // levels answer from their maintained rows and counts (docs/design.md, "Durability").
        if request.level.entity == .instance { terms.append(UnflushedObjectSchema.settled("i")) }
        for key in request.indexedKeys {
            guard let condition = key.rule.condition(on: key.attribute,
                                                     caseInsensitiveNames: request.options.caseInsensitiveNames)
            else { continue }
            terms.append("(\(condition.sql))")
            if let partialIndexCondition = key.attribute.partialIndexCondition { terms.append(partialIndexCondition) }
            arguments += condition.arguments
        }
        for key in request.sequenceKeys {
            guard let condition = key.condition(caseInsensitiveNames: request.options.caseInsensitiveNames) else { continue }
            terms.append("(\(condition.sql))")
            arguments += condition.arguments
        }
        if let after = paging?.after {
            terms.append("\(request.level.entity.alias).id > ?")
            arguments += [after.rowID]
        }
        whereClause = terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")
        self.arguments = arguments
    }

    /// The level's table joined to the tables above it (every entity has exactly one parent).
    private var fromClause: String {
        let joins: [IndexEntity: String] = [
            .instance: "JOIN series se ON se.id = i.series_ref",
            .series: "JOIN study s ON s.id = se.study_ref",
            .study: "JOIN patient p ON p.id = s.patient_ref",
        ]
        let entity = request.level.entity
        let chain = [IndexEntity.instance, .series, .study].filter { $0 <= entity }.compactMap { joins[$0] }
        return " FROM \(entity.table) \(entity.alias) " + chain.joined(separator: " ")
    }

    var selectSQL: String {
        let alias = request.level.entity.alias
        let values = request.indexedKeys.enumerated().map { "\($1.attribute.expression) AS v\($0)" }
            + request.sequenceKeys.enumerated().map { "\($1.entity.alias).id AS sequence_owner\($0)" }
        var sql = "SELECT \(alias).id AS position, " + values.joined(separator: ", ") + fromClause + whereClause
            + " ORDER BY \(alias).id"
        if paging != nil { sql += " LIMIT ? OFFSET ?" }
        return sql
    }

    var countSQL: String { "SELECT count(*)" + fromClause + whereClause }

    var pagedArguments: StatementArguments {
        guard let paging else { return arguments }
        // One more than asked tells whether another page follows.
        return arguments + [paging.limit + 1, paging.offset]
    }

    func page(_ db: Database) throws -> QueryPage {
        let limit = paging?.limit ?? Int.max
        var matches: [QueryMatch] = []
        var hasMore = false
        let rows = try Row.fetchCursor(db, sql: selectSQL, arguments: pagedArguments)
        while let row = try rows.next() {
            guard matches.count < limit else {
                hasMore = true
                break
            }
            matches.append(try match(row, db))
        }
        return QueryPage(matches: matches, hasMore: hasMore)
    }

    private func match(_ row: Row, _ db: Database) throws -> QueryMatch {
        var attributes: [Tag: QueryValue] = [:]
        for (tag, vr) in request.unindexedKeys {
            attributes[tag] = QueryValue(vr: vr, values: [])
        }
        for (index, key) in request.indexedKeys.enumerated() {
            let attribute = key.attribute
            let value: DatabaseValue = row[index + 1]
            attributes[attribute.tag] = QueryValue(vr: attribute.vr,
                                                   values: Self.values(value, multiValued: attribute.isMultiValued))
        }
        for (index, key) in request.sequenceKeys.enumerated() {
            let items = try key.items(ownerID: row["sequence_owner\(index)"],
                                      caseInsensitiveNames: request.options.caseInsensitiveNames, db)
            attributes[key.tag] = QueryValue(vr: .SQ, values: [], items: items)
        }
        return QueryMatch(level: request.level, position: QueryPosition(rowID: row["position"]), attributes: attributes)
    }

    private static func values(_ value: DatabaseValue, multiValued: Bool) -> [String] {
        switch value.storage {
        case .null, .blob: return []
        case let .int64(number): return [String(number)]
        case let .double(number): return [String(Int64(number))]
        case let .string(text):
            if text.isEmpty { return [] }
            return multiValued ? text.split(separator: "\\").map(String.init) : [text]
        }
    }
}
