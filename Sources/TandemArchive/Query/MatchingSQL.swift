import Foundation
import GRDB

/// A WHERE clause term and its bound arguments. Values are always bound, never spliced: the SQL
/// text is built only from the attribute table's column expressions.
struct SQLCondition {
    var sql: String
    var arguments: StatementArguments
}

extension MatchingRule {
    /// The condition over `attribute`'s column; nil for universal matching.
    func condition(on attribute: QueryAttribute, caseInsensitiveNames: Bool) -> SQLCondition? {
        let column = attribute.expression
        switch (self, attribute.matching) {
        case (.universal, _), (_, .returnOnly):
            return nil
        case let (.single(value), .personName(folded)):
            return personName(column: column, folded: folded, caseInsensitive: caseInsensitiveNames,
                              value: value, isPattern: false)
        case let (.wildcard(pattern), .personName(folded)):
            return personName(column: column, folded: folded, caseInsensitive: caseInsensitiveNames,
                              value: pattern, isPattern: true)
        case let (.single(value), .modalitiesInStudy):
            return SQLCondition(sql: "s.id IN (SELECT study_ref FROM series WHERE modality = ?)", arguments: [value])
        case let (.wildcard(pattern), .modalitiesInStudy):
            let match = Self.globCondition(column: "modality", rangeColumn: "modality", pattern: pattern,
                                           fold: { $0 })
            return SQLCondition(sql: "s.id IN (SELECT study_ref FROM series WHERE \(match.sql))",
                                arguments: match.arguments)
        case let (.anyOf(values), _):
            // Only Modalities in Study takes a list (`parse`); its values are bound as one JSON array.
            return SQLCondition(sql: """
                s.id IN (SELECT study_ref FROM series WHERE modality IN (SELECT value FROM json_each(?)))
                """, arguments: [Self.jsonArray(values)])
        case let (.single(value), _):
            return SQLCondition(sql: "\(column) = ?", arguments: [value])
        case let (.integer(value), _):
            return SQLCondition(sql: "\(column) = ?", arguments: [value])
        case let (.wildcard(pattern), _):
            return Self.globCondition(column: column, rangeColumn: column, pattern: pattern, fold: { $0 })
        case let (.uidList(uids), _):
            // One parameter however long the list: SQLite's variable limit never applies, and the
            // planner probes the column's unique index once per UID.
            return SQLCondition(sql: "\(column) IN (SELECT value FROM json_each(?))", arguments: [Self.jsonArray(uids)])
        case let (.range(lower, upper), _):
            var terms: [String] = [], arguments: StatementArguments = []
            if let lower {
                terms.append("\(column) >= ?")
                arguments += [lower]
            }
            if let upper {
                terms.append("\(column) <= ?")
                // A TM bound covers its whole precision: `1015` admits 101559.999999 ('~' sorts after digits and '.').
                arguments += [attribute.vr == .TM ? upper + "~" : upper]
            }
            return SQLCondition(sql: terms.joined(separator: " AND "), arguments: arguments)
        }
    }

    private func personName(column: String, folded: String?, caseInsensitive: Bool, value: String,
                            isPattern: Bool) -> SQLCondition {
        let fold = NameFolding.fold
        switch (folded, caseInsensitive, isPattern) {
        case let (folded?, true, false):
            return SQLCondition(sql: "\(folded) = ?", arguments: [fold(value)])
        case let (folded?, false, false):
            // The folded column's index finds the candidates; the exact comparison decides.
            return SQLCondition(sql: "\(folded) = ? AND \(column) = ? COLLATE BINARY", arguments: [fold(value), value])
        case let (folded?, true, true):
            return Self.globCondition(column: folded, rangeColumn: folded, pattern: value, fold: fold)
        case let (folded?, false, true):
            return Self.globCondition(column: column, rangeColumn: folded, pattern: value, fold: fold)
        case (nil, true, false):
            return SQLCondition(sql: "tandem_fold(\(column)) = ?", arguments: [fold(value)])
        case (nil, false, false):
            return SQLCondition(sql: "\(column) = ? COLLATE BINARY", arguments: [value])
        case (nil, true, true):
            return SQLCondition(sql: "tandem_fold(\(column)) GLOB ?", arguments: [Self.glob(fold(value))])
        case (nil, false, true):
            return SQLCondition(sql: "\(column) GLOB ?", arguments: [Self.glob(value)])
        }
    }

    /// `column GLOB pattern`, preceded by a range over `rangeColumn` (in the folded form `fold`
    /// gives it) for the pattern's literal prefix, so an indexed column is searched, not scanned.
    /// `rangeColumn` GLOBs the folded pattern when it is the matched column itself.
    static func globCondition(column: String, rangeColumn: String, pattern: String,
                              fold: (String) -> String) -> SQLCondition {
        let matchedPattern = column == rangeColumn ? fold(pattern) : pattern
        let prefix = String(pattern.prefix { $0 != "*" && $0 != "?" })
        guard !prefix.isEmpty else {
            return SQLCondition(sql: "\(column) GLOB ?", arguments: [glob(matchedPattern)])
        }
        let lower = fold(prefix)
        // Every string starting with `lower` sorts below `lower` + U+10FFFF (the greatest scalar,
        // a noncharacter no name holds) under BINARY collation.
        return SQLCondition(sql: "\(rangeColumn) >= ? AND \(rangeColumn) < ? AND \(column) GLOB ?",
                            arguments: [lower, lower + "\u{10FFFF}", glob(matchedPattern)])
    }

    /// Strings as a JSON array for `json_each`, escaped by the JSON encoder whatever they hold.
    static func jsonArray(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// A DICOM wildcard pattern as a SQLite GLOB pattern: `*` and `?` keep their meaning, `[`
    /// (GLOB's only other special character) is made literal; `%` and `_` mean nothing to GLOB.
    static func glob(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "[", with: "[[]")
    }
}
