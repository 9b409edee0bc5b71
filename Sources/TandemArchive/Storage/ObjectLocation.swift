/// Where an archived object lives under the data root:
///
///     objects/<fan-out>/<Study Instance UID>/<Series Instance UID>/<SOP Instance UID>.dcm
///
/// Study and series directories keep a study together: an operator can find, copy or delete
/// one with ordinary tools, and retrieval reads one directory tree. The two-hex-digit fan-out
/// (from a stable hash of the study UID) spreads years of studies over 256 directories, so
/// `objects/` itself never holds millions of entries. A second copy of the same SOP instance
/// (see `DuplicatePolicy`) gets a suffix: `<SOP Instance UID>.<suffix>.dcm`.
public struct ObjectLocation: Sendable, Hashable {
    public let studyUID: ValidatedUID
    public let seriesUID: ValidatedUID
    public let sopInstanceUID: ValidatedUID

    public static let objectsDirectoryName = "objects"
    public static let fileExtension = "dcm"

    public init(studyUID: String, seriesUID: String, sopInstanceUID: String) throws(UIDError) {
        self.studyUID = try ValidatedUID(studyUID)
        self.seriesUID = try ValidatedUID(seriesUID)
        self.sopInstanceUID = try ValidatedUID(sopInstanceUID)
    }

    /// Directory components relative to the data root, outermost first.
    public var directoryComponents: [String] {
        [Self.objectsDirectoryName, Self.fanOut(studyUID.value), studyUID.value, seriesUID.value]
    }

    /// The file's name; `suffix` distinguishes a further copy of an instance already on disk.
    public func fileName(suffix: String? = nil) -> String {
        [sopInstanceUID.value, suffix, Self.fileExtension].compactMap { $0 }.joined(separator: ".")
    }

    /// Path relative to the data root, as the index stores it.
    public func relativePath(suffix: String? = nil) -> String {
        (directoryComponents + [fileName(suffix: suffix)]).joined(separator: "/")
    }

    /// FNV-1a (32 bit) folded to one byte: stable across runs and platforms, unlike `Hasher`.
    static func fanOut(_ studyUID: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in studyUID.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let folded = UInt8(truncatingIfNeeded: hash ^ (hash >> 8) ^ (hash >> 16) ^ (hash >> 24))
        let digits = Array("0123456789abcdef")
        return String([digits[Int(folded >> 4)], digits[Int(folded & 0x0F)]])
    }
}
