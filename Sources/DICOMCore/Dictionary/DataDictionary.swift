/// One attribute of the data dictionary (PS3.6 §6).
public struct DictionaryEntry: Sendable, Hashable {
    public let tag: Tag
    public let keyword: String
    public let name: String
    /// The VRs the standard allows, first the one to use when the encoding does not say (implicit VR).
    /// Empty for the item and delimitation tags, which have no VR (PS3.5 §7.5).
    public let vrs: [VR]
    public let vm: String
    public let isRetired: Bool

    public var vr: VR { vrs.first ?? .UN }
}

/// Lookup in the PS3.6 data dictionary, generated from the standard by `scripts/dictionary/generate.py`.
public enum DataDictionary {
    /// The entry for `tag`: an attribute of PS3.6, an element of a repeating group or mask
    /// (e.g. (6002,3000) Overlay Data), a group length, or a private creator.
    /// Nil for private data elements and tags the standard does not define.
    public static func entry(for tag: Tag) -> DictionaryEntry? {
        if let entry = tables.exact[tag] { return entry }
        if tag.isGroupLength { return groupLength(tag) }
        if tag.group & 1 == 1 { return isPrivateCreatorInLegalGroup(tag) ? privateCreator(tag) : nil }
        return tables.repeaters.first { $0.matches(tag) }?.entry(resolvedTo: tag)
    }

    /// The tag of a keyword; for a repeating attribute, its lowest tag (e.g. OverlayData → (6000,3000)).
    public static func tag(forKeyword keyword: String) -> Tag? {
        tables.keywords[keyword]
    }

    /// Parsed once, on first use; Swift initialises static constants lazily and thread-safely.
    static let tables = Tables(parsing: table)

    struct Tables {
        var exact: [Tag: DictionaryEntry] = [:]
        var repeaters: [RepeatingEntry] = []
        var keywords: [String: Tag] = [:]

        init(parsing text: String) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 6, let vrs = parseVRs(fields[1]) else { continue }
                let key = fields[0]
                let isMask = key.contains("x")
                guard let value = UInt32(isMask ? String(key.map { $0 == "x" ? "0" : $0 }) : key, radix: 16)
                else { continue }
                let entry = DictionaryEntry(tag: Tag(value), keyword: fields[4], name: fields[5], vrs: vrs,
                                            vm: fields[2], isRetired: fields[3] == "R")
                if isMask {
                    repeaters.append(RepeatingEntry(mask: key, template: entry))
                } else {
                    exact[entry.tag] = entry
                    if !entry.keyword.isEmpty { keywords[entry.keyword] = entry.tag }
                }
            }
            // After all exact rows: a mask's first tag may belong to another attribute.
            for repeater in repeaters where !repeater.template.keyword.isEmpty {
                keywords[repeater.template.keyword] = firstTag(resolvingTo: repeater)
            }
        }

        /// The lowest tag of a mask that is neither listed exactly nor a group length, e.g.
        /// (0028,0410) for (0028,04x0), whose (0028,0400) is Transform Label.
        private func firstTag(resolvingTo repeater: RepeatingEntry) -> Tag? {
            let freeNibbles = (0..<8).filter { repeater.fixedBits >> ($0 * 4) & 0xF == 0 }
            for counter in 0..<(UInt32(1) << (4 * freeNibbles.count)) {
                var value = repeater.template.tag.value
                for (index, nibble) in freeNibbles.enumerated() {
                    value |= (counter >> (index * 4) & 0xF) << (nibble * 4)
                }
                let tag = Tag(value)
                if exact[tag] == nil, !tag.isGroupLength, repeater.matches(tag) { return tag }
            }
            return nil
        }

        var count: Int { exact.count + repeaters.count }
    }

    /// An attribute whose tag has `x` digits (PS3.6 §6: repeating groups 50xx, 60xx, 7Fxx and
    /// element ranges such as (0020,31xx), (1000,xxx0)): the `x` digits may take any value.
    struct RepeatingEntry {
        let fixedBits: UInt32
        let template: DictionaryEntry
        let repeatsGroup: Bool

        init(mask: String, template: DictionaryEntry) {
            fixedBits = mask.reduce(0) { $0 << 4 | ($1 == "x" ? 0 : 0xF) }
            repeatsGroup = mask.prefix(4).contains("x")
            self.template = template
        }

        /// Repeating groups are the even groups base+00 to base+1E (PS3.5 §7.6); odd ones are private.
        func matches(_ tag: Tag) -> Bool {
            guard tag.value & fixedBits == template.tag.value else { return false }
            return !repeatsGroup || (tag.group & 1 == 0 && tag.group & 0xFF <= 0x1E)
        }

        func entry(resolvedTo tag: Tag) -> DictionaryEntry {
            DictionaryEntry(tag: tag, keyword: template.keyword, name: template.name, vrs: template.vrs,
                            vm: template.vm, isRetired: template.isRetired)
        }
    }

    /// (gggg,0000). Retired in every group but 0000 and 0002 (PS3.5 §7.2), which the table lists.
    private static func groupLength(_ tag: Tag) -> DictionaryEntry {
        DictionaryEntry(tag: tag, keyword: "GroupLength", name: "Group Length", vrs: [.UL], vm: "1",
                        isRetired: true)
    }

    private static func privateCreator(_ tag: Tag) -> DictionaryEntry {
        DictionaryEntry(tag: tag, keyword: "PrivateCreator", name: "Private Creator", vrs: [.LO], vm: "1",
                        isRetired: false)
    }

    /// Groups 0001, 0003, 0005, 0007 and FFFF are odd but may not hold private elements (PS3.5 §7.8.1).
    private static func isPrivateCreatorInLegalGroup(_ tag: Tag) -> Bool {
        tag.isPrivateCreator && tag.group > 0x0007 && tag.group != 0xFFFF
    }
}

private func parseVRs(_ field: String) -> [VR]? {
    var vrs: [VR] = []
    for code in field.split(separator: "/") {
        guard let vr = VR(rawValue: String(code)) else { return nil }
        vrs.append(vr)
    }
    return vrs
}
