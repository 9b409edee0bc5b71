import DICOMCore

/// Command set encoding (PS3.7 §6.3.1, §E.1): always Implicit VR Little Endian, group 0000,
/// led by Command Group Length (0000,0000).
public enum CommandSet {
    public static let groupLength = Tag(0x0000, 0x0000)
    public static let affectedSOPClassUID = Tag(0x0000, 0x0002)
    public static let requestedSOPClassUID = Tag(0x0000, 0x0003)
    public static let commandField = Tag(0x0000, 0x0100)
    public static let messageID = Tag(0x0000, 0x0110)
    public static let messageIDBeingRespondedTo = Tag(0x0000, 0x0120)
    public static let moveDestination = Tag(0x0000, 0x0600)
    public static let priority = Tag(0x0000, 0x0700)
    public static let commandDataSetType = Tag(0x0000, 0x0800)
    public static let status = Tag(0x0000, 0x0900)
    public static let offendingElement = Tag(0x0000, 0x0901)
    public static let errorComment = Tag(0x0000, 0x0902)
    public static let errorID = Tag(0x0000, 0x0903)
    public static let affectedSOPInstanceUID = Tag(0x0000, 0x1000)
    public static let requestedSOPInstanceUID = Tag(0x0000, 0x1001)
    public static let eventTypeID = Tag(0x0000, 0x1002)
    public static let actionTypeID = Tag(0x0000, 0x1008)
    public static let numberOfRemainingSubOperations = Tag(0x0000, 0x1020)
    public static let numberOfCompletedSubOperations = Tag(0x0000, 0x1021)
    public static let numberOfFailedSubOperations = Tag(0x0000, 0x1022)
    public static let numberOfWarningSubOperations = Tag(0x0000, 0x1023)
    public static let moveOriginatorAETitle = Tag(0x0000, 0x1030)
    public static let moveOriginatorMessageID = Tag(0x0000, 0x1031)

    /// Command Data Set Type value meaning "no data set" (PS3.7 §E.1); any other means one follows.
    public static let noDataSet: UInt16 = 0x0101
    /// The value this implementation writes when a data set follows.
    public static let dataSetPresent: UInt16 = 0x0000

    /// Encodes the command elements, with a freshly computed Command Group Length.
    public static func encode(_ command: DataSet) throws -> [UInt8] {
        var elements = command
        _ = elements.remove(groupLength)
        let body = try DataSetWriter.encode(elements, transferSyntax: .implicitVRLittleEndian)
        var withLength = DataSet()
        try withLength.set(groupLength, vr: .UL, uint32: UInt32(body.count))
        return try DataSetWriter.encode(withLength, transferSyntax: .implicitVRLittleEndian) + body
    }

    /// Decodes command bytes received in P-DATA command fragments.
    public static func decode(_ bytes: [UInt8]) throws -> DataSet {
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .implicitVRLittleEndian)
        return try reader.read()
    }

    /// Whether the command announces a data set: Command Data Set Type other than 0101H
    /// (PS3.7 §E.1); nil when the element is missing or malformed.
    public static func announcesDataSet(_ command: DataSet) -> Bool? {
        command.uint16(commandDataSetType).map { $0 != noDataSet }
    }
}

/// Command Field values (PS3.7 §E.1, Table E.1-1) of the services implemented here.
public enum CommandField: UInt16, Sendable, CaseIterable {
    case cStoreRQ = 0x0001
    case cStoreRSP = 0x8001
    case cGetRQ = 0x0010
    case cGetRSP = 0x8010
    case cFindRQ = 0x0020
    case cFindRSP = 0x8020
    case cMoveRQ = 0x0021
    case cMoveRSP = 0x8021
    case cEchoRQ = 0x0030
    case cEchoRSP = 0x8030
    case nEventReportRQ = 0x0100
    case nEventReportRSP = 0x8100
    case nActionRQ = 0x0130
    case nActionRSP = 0x8130
    case cCancelRQ = 0x0FFF
}

/// Priority (0000,0700) of a request (PS3.7 §9.3.1.1).
public enum DIMSEPriority: UInt16, Sendable {
    case medium = 0x0000
    case high = 0x0001
    case low = 0x0002
}

/// A command that cannot be decoded: missing or invalid required fields.
public struct DIMSEDecodingError: Error, Hashable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
