/// One UID of the registry in PS3.6 Annex A.
public struct UIDEntry: Sendable, Hashable {
    public let uid: String
    /// Empty for the few retired UIDs the standard lists without a name.
    public let keyword: String
    public let name: String
    public let type: UIDType
    public let isRetired: Bool
}

/// Lookup in the PS3.6 UID registry, generated from the standard by `scripts/dictionary/generate.py`.
public enum UIDDictionary {
    /// The entry for a UID; trailing NUL padding, as read from a data set (PS3.5 §9.1), is ignored.
    public static func entry(for uid: String) -> UIDEntry? {
        tables.byUID[unpadded(uid)]
    }

    public static func uid(forKeyword keyword: String) -> String? {
        tables.byKeyword[keyword]
    }

    /// Whether `uid` is a Storage SOP Class: one whose instances the Storage Service Class
    /// (PS3.4 Annex B) transfers with C-STORE, retired ones included, since old modalities still send them.
    ///
    /// PS3.6 does not flag these, and the UID root 1.2.840.10008.5.1.4.1.1 is not a reliable sign:
    /// it also holds query classes ("Inventory - FIND"), while "Hanging Protocol Storage" and the
    /// implant template classes live elsewhere. So the rule reads the name: a SOP Class named
    /// "… Storage", "… Storage - <variant>" (For Presentation, For Processing, Trial) or
    /// "… Storage SOP Class" (the retired print classes). Excluded: Media Storage Directory Storage,
    /// the DICOMDIR, which exists only on media (PS3.10) and is not sent with C-STORE.
    public static func isStorageSOPClass(_ uid: String) -> Bool {
        tables.storage.contains(unpadded(uid))
    }

    /// Every Storage SOP Class (see `isStorageSOPClass`), in UID order.
    public static var storageSOPClasses: [String] { tables.storageInOrder }

    static let mediaStorageDirectoryStorage = "1.2.840.10008.1.3.10"

    /// Parsed once, on first use; Swift initialises static constants lazily and thread-safely.
    static let tables = Tables(parsing: table)

    struct Tables {
        var entries: [UIDEntry] = []
        var byUID: [String: UIDEntry] = [:]
        var byKeyword: [String: String] = [:]
        var storageInOrder: [String] = []
        var storage: Set<String> = []

        init(parsing text: String) {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 5, let type = UIDType(rawValue: fields[1]) else { continue }
                let entry = UIDEntry(uid: fields[0], keyword: fields[3], name: fields[4], type: type,
                                     isRetired: fields[2] == "R")
                entries.append(entry)
                byUID[entry.uid] = entry
                if !entry.keyword.isEmpty { byKeyword[entry.keyword] = entry.uid }
                if UIDDictionary.namesStorageSOPClass(entry) {
                    storageInOrder.append(entry.uid)
                    storage.insert(entry.uid)
                }
            }
        }
    }

    static func namesStorageSOPClass(_ entry: UIDEntry) -> Bool {
        guard entry.type == .sopClass, entry.uid != mediaStorageDirectoryStorage else { return false }
        let name = entry.name
        return name.hasSuffix(" Storage") || name.contains(" Storage - ") || name.hasSuffix(" Storage SOP Class")
    }

    private static func unpadded(_ uid: String) -> String {
        guard uid.last == "\0" else { return uid }
        var trimmed = Substring(uid)
        while trimmed.last == "\0" { trimmed.removeLast() }
        return String(trimmed)
    }
}
