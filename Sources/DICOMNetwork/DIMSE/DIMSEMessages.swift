import DICOMCore

/// C-ECHO-RQ (PS3.7 §9.3.5.1).
public struct CEchoRequest: Hashable, Sendable {
    public var messageID: UInt16
    public var affectedSOPClassUID: String

    public init(messageID: UInt16, affectedSOPClassUID: String = CEchoRequest.verificationSOPClassUID) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
    }

    /// Verification SOP Class (PS3.4 Annex A).
    public static let verificationSOPClassUID = "1.2.840.10008.1.1"

    public func encode() throws -> [UInt8] {
        var command = DataSet()
        try command.set(CommandSet.affectedSOPClassUID, vr: .UI, string: affectedSOPClassUID)
        try command.set(CommandSet.commandField, vr: .US, uint16: CommandField.cEchoRQ.rawValue)
        try command.set(CommandSet.messageID, vr: .US, uint16: messageID)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        return try CommandSet.encode(command)
    }

    init(_ command: DataSet) throws {
        messageID = try command.requiredUInt16(CommandSet.messageID)
        affectedSOPClassUID = try command.requiredString(CommandSet.affectedSOPClassUID)
    }
}

/// C-ECHO-RSP (PS3.7 §9.3.5.2).
public struct CEchoResponse: Hashable, Sendable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String
    public var status: DIMSEStatus

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String = CEchoRequest.verificationSOPClassUID,
                status: DIMSEStatus = .success) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.status = status
    }

    public func encode() throws -> [UInt8] {
        var command = DataSet()
        try command.set(CommandSet.affectedSOPClassUID, vr: .UI, string: affectedSOPClassUID)
        try command.set(CommandSet.commandField, vr: .US, uint16: CommandField.cEchoRSP.rawValue)
        try command.set(CommandSet.messageIDBeingRespondedTo, vr: .US, uint16: messageIDBeingRespondedTo)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        try command.set(CommandSet.status, vr: .US, uint16: status.rawValue)
        return try CommandSet.encode(command)
    }

    init(_ command: DataSet) throws {
        messageIDBeingRespondedTo = try command.requiredUInt16(CommandSet.messageIDBeingRespondedTo)
        affectedSOPClassUID = command.string(CommandSet.affectedSOPClassUID) ?? ""
        status = DIMSEStatus(rawValue: try command.requiredUInt16(CommandSet.status))
    }
}

/// C-CANCEL-RQ (PS3.7 §9.3.2.3): cancels the operation with the given message ID.
public struct CCancelRequest: Hashable, Sendable {
    public var messageIDBeingRespondedTo: UInt16

    public init(messageIDBeingRespondedTo: UInt16) { self.messageIDBeingRespondedTo = messageIDBeingRespondedTo }

    public func encode() throws -> [UInt8] {
        var command = DataSet()
        try command.set(CommandSet.commandField, vr: .US, uint16: CommandField.cCancelRQ.rawValue)
        try command.set(CommandSet.messageIDBeingRespondedTo, vr: .US, uint16: messageIDBeingRespondedTo)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        return try CommandSet.encode(command)
    }

    init(_ command: DataSet) throws {
        messageIDBeingRespondedTo = try command.requiredUInt16(CommandSet.messageIDBeingRespondedTo)
    }
}

/// A received command, decoded by its Command Field.
public enum DIMSECommand: Hashable, Sendable {
    case cEchoRQ(CEchoRequest)
    case cEchoRSP(CEchoResponse)
    case cStoreRQ(CStoreRequest)
    case cStoreRSP(CStoreResponse)
    case cCancelRQ(CCancelRequest)
    /// A command this layer does not decode; its raw Command Field and message ID (if any).
    case other(commandField: UInt16, messageID: UInt16?)

    public init(decoding bytes: [UInt8]) throws {
        let command = try CommandSet.decode(bytes)
        let field = try command.requiredUInt16(CommandSet.commandField)
        switch CommandField(rawValue: field) {
        case .cEchoRQ: self = .cEchoRQ(try CEchoRequest(command))
        case .cEchoRSP: self = .cEchoRSP(try CEchoResponse(command))
        case .cStoreRQ: self = .cStoreRQ(try CStoreRequest(command))
        case .cStoreRSP: self = .cStoreRSP(try CStoreResponse(command))
        case .cCancelRQ: self = .cCancelRQ(try CCancelRequest(command))
        case nil: self = .other(commandField: field, messageID: command.uint16(CommandSet.messageID))
        }
    }
}
