import DICOMCore

/// One key of a query: an attribute and its value, decoded to Unicode. An empty value is a
/// return key (universal matching); QIDO-RS `includefield` keys are empty values too.
public struct QueryKey: Sendable, Equatable {
    public var tag: Tag
    public var value: String

    public init(_ tag: Tag, _ value: String = "") {
        self.tag = tag
        self.value = value
    }
}

/// Options that come from configuration (`[query]`) or the service, not from the query.
public struct QueryOptions: Sendable, Equatable {
    /// PN values match regardless of case and Unicode composition (`[query] case_insensitive_names`).
    public var caseInsensitiveNames: Bool
    /// Relational search (PS3.4 C.4.1.2.2, negotiated for C-FIND; always for QIDO-RS). Without it
    /// the search is hierarchical: every level above the query level needs its Unique Key.
    public var relational: Bool

    public init(caseInsensitiveNames: Bool = false, relational: Bool = true) {
        self.caseInsensitiveNames = caseInsensitiveNames
        self.relational = relational
    }
}

/// A validated query: its level, model, and each key's matching. Built from a C-FIND identifier
/// (`init(identifier:model:options:)`) or from keys (`init(model:level:keys:options:)`, QIDO-RS).
/// Every error is a `QueryError`, raised here, before the index is read.
public struct QueryRequest: Sendable {
    public let model: QueryInformationModel
    public let level: QueryLevel
    public let options: QueryOptions
    /// The tags each match answers with, in request order: the keys, then the Unique Keys of the
    /// query level and the levels above that the request did not name.
    public let returnTags: [Tag]

    struct ResolvedKey: Sendable {
        let attribute: QueryAttribute
        let rule: MatchingRule
    }

    /// Keys that asked for matching the archive does not perform (a value on an attribute the
    /// index does not keep or only returns, an item of a sequence the index does not keep, a
    /// binary or nested-sequence value in an item): every entity is taken to match them, and
    /// C-FIND says so with the pending status FF01H (PS3.4 C.4.1.1.4).
    public private(set) var unsupportedMatchingKeys: [Tag] = []

    /// Keys on indexed attributes, each with its parsed matching.
    let indexedKeys: [ResolvedKey]
    /// Keys on sequences the index keeps (`SequenceIndex`), matched and returned from it.
    let sequenceKeys: [SequenceKey]
    /// VRs of keys the index does not keep (known attributes answered with an empty value).
    let unindexedKeys: [Tag: VR]

    public init(model: QueryInformationModel, level: QueryLevel, keys: [QueryKey],
                options: QueryOptions = QueryOptions()) throws(QueryError) {
        try self.init(model: model, level: level, keys: keys.map { ($0.tag, nil, $0.value) }, sequences: [:],
                      options: options)
    }

    /// Reads a C-FIND identifier: its Query/Retrieve Level, then each element as a key. Text is
    /// decoded with the identifier's own Specific Character Set (0008,0005), so a name sent in
    /// ISO_IR 100 or ISO_IR 192 matches the Unicode the index keeps. A sequence key holds at most
    /// one item (Sequence Matching, PS3.4 C.2.2.2.6); on a sequence the index keeps, the item's
    /// values are matched (`SequenceKey`), on any other it is answered empty and not matched.
    public init(identifier: DataSet, model: QueryInformationModel,
                options: QueryOptions = QueryOptions()) throws(QueryError) {
        guard let levelText = identifier.string(.queryRetrieveLevel) else { throw .missingLevel }
        guard let level = QueryLevel(rawValue: levelText) else { throw .unknownLevel(levelText) }
        var keys: [(Tag, VR?, String)] = [], sequences: [Tag: SequenceKey] = [:], sequencesWithValues: [Tag] = []
        for element in identifier where !element.tag.isGroupLength {
            guard element.vr == .SQ else {
                keys.append((element.tag, element.vr, identifier.string(element.tag) ?? ""))
                continue
            }
            let items = identifier.items(element.tag) ?? []
            guard items.count <= 1 else {
                throw .malformedValue(element.tag, "a sequence key holds a single item (PS3.4 C.2.2.2.6)")
            }
            if SequenceIndex.owners[element.tag] != nil {
                let key = try SequenceKey(tag: element.tag, item: items.first)
                sequences[element.tag] = key
                if key.hasUnsupportedValues { sequencesWithValues.append(element.tag) }
            } else if let item = items.first, item.contains(where: { ($0.bytes?.isEmpty == false) || $0.vr == .SQ }) {
                sequencesWithValues.append(element.tag)
            }
            keys.append((element.tag, element.vr, ""))
        }
        try self.init(model: model, level: level, keys: keys, sequences: sequences, options: options)
        unsupportedMatchingKeys += sequencesWithValues
    }

    private init(model: QueryInformationModel, level: QueryLevel, keys: [(Tag, VR?, String)],
                 sequences: [Tag: SequenceKey], options: QueryOptions) throws(QueryError) {
        guard model.levels.contains(level) else { throw .levelNotInModel(level, model) }
        self.model = model
        self.level = level
        self.options = options
        var indexed: [ResolvedKey] = [], unindexed: [Tag: VR] = [:], tags: [Tag] = [], seen: Set<Tag> = []
        var unsupported: [Tag] = [], sequenceKeys: [SequenceKey] = []
        for (tag, vr, value) in keys where !QueryAttribute.controlTags.contains(tag) && seen.insert(tag).inserted {
            guard tag.group != 0, !tag.isPrivate, let entry = DataDictionary.entry(for: tag) else {
                throw .unknownAttribute(tag)
            }
            if let vr, vr != .UN, !entry.vrs.contains(vr) { throw .wrongVR(tag, expected: entry.vr, found: vr) }
            tags.append(tag)
            if let sequence = sequences[tag] {
                guard model.level(of: sequence.entity) <= level else { throw .keyNotAllowed(tag, level: level) }
                sequenceKeys.append(sequence)
                continue
            }
            guard let attribute = QueryAttribute.byTag[tag] else {
                unindexed[tag] = entry.vr
                if !value.isEmpty { unsupported.append(tag) }
                continue
            }
            if case .returnOnly = attribute.matching, !value.isEmpty { unsupported.append(tag) }
            let keyLevel = model.level(of: attribute.entity)
            guard keyLevel <= level else { throw .keyNotAllowed(tag, level: level) }
            indexed.append(ResolvedKey(attribute: attribute, rule: try MatchingRule.parse(value, for: attribute)))
        }
        let upperLevels = model.levels.filter { $0 < level }
        if !options.relational {
            for upper in upperLevels {
                let key = indexed.first { $0.attribute.tag == upper.uniqueKey }
                switch key?.rule {
                case .single?, .uidList?: continue
                default: throw .missingUpperLevelUniqueKey(upper.uniqueKey, level: upper)
                }
            }
        }
        for uniqueLevel in upperLevels + [level] where !seen.contains(uniqueLevel.uniqueKey) {
            let tag = uniqueLevel.uniqueKey
            tags.append(tag)
            indexed.append(ResolvedKey(attribute: QueryAttribute.byTag[tag]!, rule: .universal))
        }
        indexedKeys = indexed
        self.sequenceKeys = sequenceKeys
        unindexedKeys = unindexed
        unsupportedMatchingKeys = unsupported
        returnTags = tags
    }
}
