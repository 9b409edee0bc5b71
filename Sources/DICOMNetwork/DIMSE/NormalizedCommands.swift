// The DIMSE-N commands Storage Commitment uses (PS3.7 §10.3, PS3.4 Annex J), as field tables.

/// N-EVENT-REPORT-RQ (PS3.7 §10.3.1.1); Event Information may follow as the data set.
public struct NEventReportRequest: CommandFieldTable {
    public var messageID: UInt16
    public var affectedSOPClassUID: String
    public var affectedSOPInstanceUID: String
    public var eventTypeID: UInt16
    public var hasEventInformation: Bool

    public init(messageID: UInt16, affectedSOPClassUID: String, affectedSOPInstanceUID: String, eventTypeID: UInt16,
                hasEventInformation: Bool) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.eventTypeID = eventTypeID
        self.hasEventInformation = hasEventInformation
    }

    init() { self.init(messageID: 0, affectedSOPClassUID: "", affectedSOPInstanceUID: "", eventTypeID: 0, hasEventInformation: false) }
    static let commandField = CommandField.nEventReportRQ
    static let dataSet = CommandDataSet<Self>.optional(\.hasEventInformation)
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
        .required(CommandSet.eventTypeID, \.eventTypeID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// N-EVENT-REPORT-RSP (PS3.7 §10.3.1.2); Event Reply may follow as the data set.
public struct NEventReportResponse: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var affectedSOPInstanceUID: String?
    public var eventTypeID: UInt16?
    public var status: DIMSEStatus
    public var hasEventReply: Bool
    public var errorComment: String?

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String?, affectedSOPInstanceUID: String?,
                eventTypeID: UInt16?, status: DIMSEStatus, hasEventReply: Bool = false, errorComment: String? = nil) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.eventTypeID = eventTypeID
        self.status = status
        self.hasEventReply = hasEventReply
        self.errorComment = errorComment
    }

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil, affectedSOPInstanceUID: nil, eventTypeID: nil, status: .success) }
    static let commandField = CommandField.nEventReportRSP
    static let dataSet = CommandDataSet<Self>.optional(\.hasEventReply)
    static let fields: [CommandElement<Self>] = [
        .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
        .required(CommandSet.status, \.status),
        .optional(CommandSet.errorComment, \.errorComment),
        .optional(CommandSet.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
        .optional(CommandSet.eventTypeID, \.eventTypeID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// N-ACTION-RQ (PS3.7 §10.3.4.1); Action Information may follow as the data set.
public struct NActionRequest: CommandFieldTable {
    public var messageID: UInt16
    public var requestedSOPClassUID: String
    public var requestedSOPInstanceUID: String
    public var actionTypeID: UInt16
    public var hasActionInformation: Bool

    public init(messageID: UInt16, requestedSOPClassUID: String, requestedSOPInstanceUID: String, actionTypeID: UInt16,
                hasActionInformation: Bool) {
        self.messageID = messageID
        self.requestedSOPClassUID = requestedSOPClassUID
        self.requestedSOPInstanceUID = requestedSOPInstanceUID
        self.actionTypeID = actionTypeID
        self.hasActionInformation = hasActionInformation
    }

    init() { self.init(messageID: 0, requestedSOPClassUID: "", requestedSOPInstanceUID: "", actionTypeID: 0, hasActionInformation: false) }
    static let commandField = CommandField.nActionRQ
    static let dataSet = CommandDataSet<Self>.optional(\.hasActionInformation)
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.requestedSOPClassUID, \.requestedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.requestedSOPInstanceUID, \.requestedSOPInstanceUID),
        .required(CommandSet.actionTypeID, \.actionTypeID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// N-ACTION-RSP (PS3.7 §10.3.4.2); Action Reply may follow as the data set.
public struct NActionResponse: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var affectedSOPInstanceUID: String?
    public var actionTypeID: UInt16?
    public var status: DIMSEStatus
    public var hasActionReply: Bool
    public var errorComment: String?

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String?, affectedSOPInstanceUID: String?,
                actionTypeID: UInt16?, status: DIMSEStatus, hasActionReply: Bool = false, errorComment: String? = nil) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.affectedSOPInstanceUID = affectedSOPInstanceUID
        self.actionTypeID = actionTypeID
        self.status = status
        self.hasActionReply = hasActionReply
        self.errorComment = errorComment
    }

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil, affectedSOPInstanceUID: nil, actionTypeID: nil, status: .success) }
    static let commandField = CommandField.nActionRSP
    static let dataSet = CommandDataSet<Self>.optional(\.hasActionReply)
    static let fields: [CommandElement<Self>] = [
        .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
        .required(CommandSet.status, \.status),
        .optional(CommandSet.errorComment, \.errorComment),
        .optional(CommandSet.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
        .optional(CommandSet.actionTypeID, \.actionTypeID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}
