import DICOMCore
import GRDB

/// A key on a sequence the index keeps (`SequenceIndex`), after Sequence Matching (PS3.4
/// C.2.2.2.6): an entity matches when its sequence has an item in which every item key with a
/// value matches; item keys without a value are return keys. The answer carries the items that
/// matched (every item when nothing is matched), each with the key item's attributes filled
/// from the index, or with every indexed attribute when the key has no item or an empty one.
struct SequenceKey: Sendable {
    struct ItemKey: Sendable {
        let tag: Tag
        let vr: VR
        /// `.universal` for a return key, and for a value the index cannot match (`hasUnsupportedValues`).
        let rule: MatchingRule
    }

    let tag: Tag
    let entity: IndexEntity
    /// The item's keys in tag order.
    let itemKeys: [ItemKey]
    /// The item holds a value the index does not keep (a binary attribute, a nested sequence's
    /// item): taken as universal, and C-FIND answers FF01H.
    let hasUnsupportedValues: Bool

    var matchingKeys: [ItemKey] { itemKeys.filter { $0.rule != .universal } }

    /// Validates the item like top-level keys: dictionary tags only, the dictionary's VRs,
    /// values parsed after their VR's matching (C.2.2.2.1–5).
    init(tag: Tag, item: DataSet?) throws(QueryError) {
        guard let entity = SequenceIndex.owners[tag] else { throw .unknownAttribute(tag) }
        self.tag = tag
        self.entity = entity
        var keys: [ItemKey] = [], unsupported = false
        for element in item ?? DataSet() where !element.tag.isGroupLength {
            let itemTag = element.tag
            guard itemTag.group != 0, !itemTag.isPrivate, let entry = DataDictionary.entry(for: itemTag) else {
                throw .unknownAttribute(itemTag)
            }
            if element.vr != .UN, !entry.vrs.contains(element.vr) {
                throw .wrongVR(itemTag, expected: entry.vr, found: element.vr)
            }
            let vr = element.vr == .UN ? entry.vr : element.vr
            guard let matching = SequenceIndex.matching(of: vr) else {
                let hasValue = element.vr == .SQ ? !(item?.items(itemTag) ?? []).isEmpty : element.bytes?.isEmpty == false
                unsupported = unsupported || hasValue
                keys.append(ItemKey(tag: itemTag, vr: vr, rule: .universal))
                continue
            }
            let attribute = Self.attribute(itemTag, vr: vr, matching: matching, column: "value")
            keys.append(ItemKey(tag: itemTag, vr: vr,
                                rule: try MatchingRule.parse(item?.string(itemTag) ?? "", for: attribute)))
        }
        itemKeys = keys
        hasUnsupportedValues = unsupported
    }

    /// An item attribute as the matching rules see it: a column of `sequence_attribute`.
    private static func attribute(_ tag: Tag, vr: VR, matching: QueryAttribute.Matching, column: String) -> QueryAttribute {
        QueryAttribute(tag: tag, vr: vr, entity: .instance, expression: column, matching: matching)
    }

    /// `owner.id IN (…)`: the owners with an item matching every matching key; nil when the
    /// key matches everything.
    func condition(caseInsensitiveNames: Bool) -> SQLCondition? {
        guard let search = itemSearch(caseInsensitiveNames: caseInsensitiveNames) else { return nil }
        return SQLCondition(sql: "\(entity.alias).id IN (SELECT a0.owner_ref \(search.sql))", arguments: search.arguments)
    }

    /// FROM and WHERE over `sequence_attribute` for the items matching every matching key: `a0`
    /// is the first key's row, found through the value index; each other key needs a row of the
    /// same item (`a1`, `a2`…), probed by the primary key.
    private func itemSearch(caseInsensitiveNames: Bool) -> SQLCondition? {
        let keys = matchingKeys
        guard !keys.isEmpty else { return nil }
        var sql = "FROM sequence_attribute a0 WHERE a0.sequence_tag = ?", arguments: StatementArguments = [Int64(tag.value)]
        for (position, key) in keys.enumerated() {
            let alias = "a\(position)"
            let attribute = Self.attribute(key.tag, vr: key.vr, matching: SequenceIndex.matching(of: key.vr) ?? .text,
                                           column: "\(alias).value")
            guard let match = key.rule.condition(on: attribute, caseInsensitiveNames: caseInsensitiveNames) else { continue }
            if position == 0 {
                sql += " AND a0.tag = ? AND (\(match.sql))"
            } else {
                sql += """
                     AND EXISTS (SELECT 1 FROM sequence_attribute \(alias) WHERE \(alias).sequence_tag = a0.sequence_tag \
                    AND \(alias).owner_ref = a0.owner_ref AND \(alias).item = a0.item AND \(alias).tag = ? AND (\(match.sql)))
                    """
            }
            arguments += [Int64(key.tag.value)]
            arguments += match.arguments
        }
        return SQLCondition(sql: sql, arguments: arguments)
    }

    /// The items answered for one matching entity, read from the index.
    func items(ownerID: Int64, caseInsensitiveNames: Bool, _ db: Database) throws -> [[Tag: QueryValue]] {
        var matchedItems: Set<Int64>?
        if let search = itemSearch(caseInsensitiveNames: caseInsensitiveNames) {
            matchedItems = Set(try Int64.fetchAll(db, sql: "SELECT a0.item \(search.sql) AND a0.owner_ref = ?",
                                                  arguments: search.arguments + [ownerID]))
        }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT item, tag, value FROM sequence_attribute WHERE sequence_tag = ? AND owner_ref = ? ORDER BY item
            """), arguments: [Int64(tag.value), ownerID])
        var stored: [(item: Int64, attributes: [Tag: String])] = []
        for row in rows {
            let item: Int64 = row["item"]
            if matchedItems?.contains(item) == false { continue }
            if stored.last?.item != item { stored.append((item, [:])) }
            stored[stored.count - 1].attributes[Tag(UInt32(truncatingIfNeeded: row["tag"] as Int64))] = row["value"]
        }
        return stored.map { _, attributes in
            guard !itemKeys.isEmpty else {
                return attributes.reduce(into: [:]) { answer, attribute in
                    answer[attribute.key] = QueryValue(vr: DataDictionary.entry(for: attribute.key)?.vr ?? .UN,
                                                       values: [attribute.value])
                }
            }
            return itemKeys.reduce(into: [:]) { answer, key in
                answer[key.tag] = QueryValue(vr: key.vr, values: attributes[key.tag].map { [$0] } ?? [])
            }
        }
    }
}
