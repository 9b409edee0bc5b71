/// The status a C-STORE response carries (PS3.4 §B.2.3, Table B.2-1; general statuses PS3.7 Annex C).
/// Each constant says when the receiver sends it.
public struct StoreStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Stored, fsynced and indexed (or an identical SOP instance is already archived, keep-first).
    public static let success = StoreStatus(rawValue: 0x0000)
    /// Refused: Out of Resources (A7xx). The disk or quota is full, free space is below
    /// `min_free_bytes`, or a local I/O error kept the object from being stored: retry later.
    public static let outOfResources = StoreStatus(rawValue: 0xA700)
    /// Error: Data Set does not match SOP Class (A9xx): the data set names another SOP class or
    /// instance than the command, or lacks a Type 1 UID every storage IOD requires.
    public static let dataSetDoesNotMatchSOPClass = StoreStatus(rawValue: 0xA900)
    /// Error: Cannot understand (Cxxx): the data set cannot be parsed.
    public static let cannotUnderstand = StoreStatus(rawValue: 0xC000)
    /// Invalid SOP Instance (PS3.7 Annex C): the Affected SOP Instance UID breaks the UID rules
    /// (PS3.5 §9.1), so it can neither be archived nor become a file name.
    public static let invalidSOPInstance = StoreStatus(rawValue: 0x0117)
    /// Duplicate SOP Instance (PS3.7 Annex C): the instance is archived already and
    /// `duplicate_policy = "reject"`. Not an A7xx status: resending the same instance cannot succeed.
    public static let duplicateSOPInstance = StoreStatus(rawValue: 0x0111)
    /// Refused: SOP Class not supported: the command names a class that is not a storage SOP
    /// class, or not the abstract syntax of its presentation context.
    public static let sopClassNotSupported = StoreStatus(rawValue: 0x0122)

    public var isSuccess: Bool { rawValue == 0x0000 }

    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex + "H"
    }
}

/// The answer to one C-STORE: a status and, for a failure, an Error Comment (0000,0902).
public struct StoreResult: Sendable, Equatable {
    public var status: StoreStatus
    /// At most 64 characters (LO) of the default repertoire, as an Error Comment in a command set
    /// (which has no Specific Character Set) must be: other characters become "?".
    public var comment: String?
    /// Data set bytes received (excluding the meta header this side adds).
    public var bytes: Int64

    public init(status: StoreStatus, comment: String? = nil, bytes: Int64 = 0) {
        self.status = status
        self.comment = comment.map { text in
            String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map {
                $0.isASCII && $0.value >= 0x20 && $0 != "\\" ? $0 : "?"
            }))
        }
        self.bytes = bytes
    }
}
