/// Status (0000,0900) of a DIMSE response (PS3.7 Annex C).
public struct DIMSEStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public enum Category: Hashable, Sendable { case success, warning, failure, cancel, pending }

    public static let success = DIMSEStatus(rawValue: 0x0000)
    public static let cancel = DIMSEStatus(rawValue: 0xFE00)
    public static let pending = DIMSEStatus(rawValue: 0xFF00)
    /// C-STORE warnings (PS3.4 Table B.2-1).
    public static let coercionOfDataElements = DIMSEStatus(rawValue: 0xB000)
    public static let elementsDiscarded = DIMSEStatus(rawValue: 0xB006)
    public static let dataSetDoesNotMatchSOPClassWarning = DIMSEStatus(rawValue: 0xB007)
    /// Refused: out of resources (A700–A7FF, PS3.4 Table B.2-1).
    public static let outOfResources = DIMSEStatus(rawValue: 0xA700)
    /// Error: data set does not match SOP class (A900–A9FF).
    public static let dataSetDoesNotMatchSOPClass = DIMSEStatus(rawValue: 0xA900)
    /// Error: cannot understand (C000–CFFF).
    public static let cannotUnderstand = DIMSEStatus(rawValue: 0xC000)
    /// General failures (PS3.7 Annex C.5).
    public static let sopClassNotSupported = DIMSEStatus(rawValue: 0x0122)
    public static let notAuthorized = DIMSEStatus(rawValue: 0x0124)
    public static let duplicateSOPInstance = DIMSEStatus(rawValue: 0x0111)
    public static let invalidSOPInstance = DIMSEStatus(rawValue: 0x0117)
    public static let unrecognizedOperation = DIMSEStatus(rawValue: 0x0211)
    public static let processingFailure = DIMSEStatus(rawValue: 0x0110)

    /// PS3.7 Annex C: warnings are 0001, 0107, 0116 and Bxxx; cancel FE00; pending FF00/FF01;
    /// everything else (A7xx, A9xx, Cxxx, 01xx, 02xx…) is a failure.
    public var category: Category {
        switch rawValue {
        case 0x0000: .success
        case 0x0001, 0x0107, 0x0116, 0xB000...0xBFFF: .warning
        case 0xFE00: .cancel
        case 0xFF00, 0xFF01: .pending
        default: .failure
        }
    }

    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }
}
