import DICOMCore

/// C-STORE-RQ (PS3.7 §9.3.1.1); the data set follows the command.
public struct CStoreRequest: Hashable, Sendable {
    public var messageID: UInt16
    public var priority: DIMSEPriority
    public var affectedSOPClassUID: String
    public var affectedSOPInstanceUID: String
    /// Set when the store is a sub-operation of a C-MOVE (PS3.7 §9.1.1.1).
    public var moveOriginatorAETitle: String?
    public var moveOriginatorMessageID: UInt16?

    public init(messageID: UInt16, priority: DIMSEPriority = .medium, affectedSOPClassUID: String,
                affectedSOPInstanceUID: String, moveOriginatorAETitle: String? = nil, moveOriginatorMessageID: UInt16? = nil) {
        self.messageID = messageID
        self.priority = priority
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.moveOriginatorAETitle = moveOriginatorAETitle
        self.moveOriginatorMessageID = moveOriginatorMessageID
    }

    public func encode() throws -> [UInt8] {
        var command = DataSet()
        try command.set(CommandSet.affectedSOPClassUID, vr: .UI, string: affectedSOPClassUID)
        try command.set(CommandSet.commandField, vr: .US, uint16: CommandField.cStoreRQ.rawValue)
        try command.set(CommandSet.messageID, vr: .US, uint16: messageID)
        try command.set(CommandSet.priority, vr: .US, uint16: priority.rawValue)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.dataSetPresent)
        try command.set(CommandSet.affectedSOPInstanceUID, vr: .UI, string: affectedSOPInstanceUID)
        if let moveOriginatorAETitle {
            try command.set(CommandSet.moveOriginatorAETitle, vr: .AE, string: moveOriginatorAETitle)
        }
        if let moveOriginatorMessageID {
            try command.set(CommandSet.moveOriginatorMessageID, vr: .US, uint16: moveOriginatorMessageID)
        }
        return try CommandSet.encode(command)
    }

    init(_ command: DataSet) throws {
        messageID = try command.requiredUInt16(CommandSet.messageID)
        let priorityValue = try command.requiredUInt16(CommandSet.priority)
        guard let priority = DIMSEPriority(rawValue: priorityValue) else { throw DIMSEDecodingError("priority \(priorityValue)") }
        self.priority = priority
        affectedSOPClassUID = try command.requiredString(CommandSet.affectedSOPClassUID)
        affectedSOPInstanceUID = try command.requiredString(CommandSet.affectedSOPInstanceUID)
        moveOriginatorAETitle = command.string(CommandSet.moveOriginatorAETitle)
        moveOriginatorMessageID = command.uint16(CommandSet.moveOriginatorMessageID)
    }
}

/// C-STORE-RSP (PS3.7 §9.3.1.2).
public struct CStoreResponse: Hashable, Sendable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var affectedSOPInstanceUID: String?
    public var status: DIMSEStatus
    /// Free text for failures and warnings (0000,0902), at most 64 characters (LO).
    public var errorComment: String?
    public var offendingElements: [Tag]

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String?, affectedSOPInstanceUID: String?,
                status: DIMSEStatus, errorComment: String? = nil, offendingElements: [Tag] = []) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.status = status
        self.errorComment = errorComment
        self.offendingElements = offendingElements
    }

    public func encode() throws -> [UInt8] {
        var command = DataSet()
        if let affectedSOPClassUID { try command.set(CommandSet.affectedSOPClassUID, vr: .UI, string: affectedSOPClassUID) }
        try command.set(CommandSet.commandField, vr: .US, uint16: CommandField.cStoreRSP.rawValue)
        try command.set(CommandSet.messageIDBeingRespondedTo, vr: .US, uint16: messageIDBeingRespondedTo)
        try command.set(CommandSet.commandDataSetType, vr: .US, uint16: CommandSet.noDataSet)
        try command.set(CommandSet.status, vr: .US, uint16: status.rawValue)
        if !offendingElements.isEmpty { command.set(CommandSet.offendingElement, tags: offendingElements) }
        if let errorComment { try command.set(CommandSet.errorComment, vr: .LO, string: String(errorComment.prefix(64))) }
        if let affectedSOPInstanceUID {
            try command.set(CommandSet.affectedSOPInstanceUID, vr: .UI, string: affectedSOPInstanceUID)
        }
        return try CommandSet.encode(command)
    }

    init(_ command: DataSet) throws {
        messageIDBeingRespondedTo = try command.requiredUInt16(CommandSet.messageIDBeingRespondedTo)
        affectedSOPClassUID = command.string(CommandSet.affectedSOPClassUID)
        affectedSOPInstanceUID = command.string(CommandSet.affectedSOPInstanceUID)
        status = DIMSEStatus(rawValue: try command.requiredUInt16(CommandSet.status))
        errorComment = command.string(CommandSet.errorComment)
        offendingElements = command.tags(CommandSet.offendingElement) ?? []
    }
}
