/// One attribute of the data dictionary (PS3.6 §6).
public struct DictionaryEntry: Sendable, Hashable {
    public let tag: Tag
    public let keyword: String
    public let name: String
    /// The VRs the standard allows, first the one to use when the encoding does not say (implicit VR).
    public let vrs: [VR]
    public let vm: String
    public let isRetired: Bool

    public var vr: VR { vrs.first ?? .UN }
}

/// Lookup in the PS3.6 data dictionary.
public enum DataDictionary {
    public static func entry(for tag: Tag) -> DictionaryEntry? {
        provisional[tag]
    }

    public static func tag(forKeyword keyword: String) -> Tag? {
        provisional.values.first { $0.keyword == keyword }?.tag
    }

    // Interim table until the generated dictionary lands.
    private static let provisional: [Tag: DictionaryEntry] = {
        let rows: [(UInt32, String, VR)] = [
            (0x0002_0010, "TransferSyntaxUID", .UI), (0x0008_0016, "SOPClassUID", .UI),
            (0x0008_0018, "SOPInstanceUID", .UI), (0x0008_0005, "SpecificCharacterSet", .CS),
            (0x0010_0010, "PatientName", .PN), (0x0010_0020, "PatientID", .LO),
            (0x0020_000D, "StudyInstanceUID", .UI), (0x0020_000E, "SeriesInstanceUID", .UI),
            (0x0008_0060, "Modality", .CS), (0x0028_0010, "Rows", .US), (0x0028_0011, "Columns", .US),
            (0x7FE0_0010, "PixelData", .OW),
        ]
        var table: [Tag: DictionaryEntry] = [:]
        for (value, keyword, vr) in rows {
            table[Tag(value)] = DictionaryEntry(tag: Tag(value), keyword: keyword, name: keyword, vrs: [vr],
                                                vm: "1", isRetired: false)
        }
        return table
    }()
}
