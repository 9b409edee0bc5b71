import DICOMCore

// The DIMSE-C commands (PS3.7 §9.3): each is its field table. `encode()` gives the command set.

/// C-ECHO-RQ (PS3.7 §9.3.5.1).
public struct CEchoRequest: CommandFieldTable {
    public var messageID: UInt16
    public var affectedSOPClassUID: String

    /// Verification SOP Class (PS3.4 Annex A).
    public static let verificationSOPClassUID = "1.2.840.10008.1.1"

    public init(messageID: UInt16, affectedSOPClassUID: String = CEchoRequest.verificationSOPClassUID) {
        self.messageID = messageID
        self.affectedSOPClassUID = affectedSOPClassUID
    }

    init() { self.init(messageID: 0, affectedSOPClassUID: "") }
    static let commandField = CommandField.cEchoRQ
    static let dataSet = CommandDataSet<Self>.never
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-ECHO-RSP (PS3.7 §9.3.5.2).
public struct CEchoResponse: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String? = CEchoRequest.verificationSOPClassUID,
                status: DIMSEStatus = .success) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.status = status
    }

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil) }
    static let commandField = CommandField.cEchoRSP
    static let dataSet = CommandDataSet<Self>.never
    static let fields: [CommandElement<Self>] = [
        .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
        .required(CommandSet.status, \.status),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-STORE-RQ (PS3.7 §9.3.1.1); the data set follows the command.
public struct CStoreRequest: CommandFieldTable {
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

    init() { self.init(messageID: 0, affectedSOPClassUID: "", affectedSOPInstanceUID: "") }
    static let commandField = CommandField.cStoreRQ
    static let dataSet = CommandDataSet<Self>.always
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.priority, \.priority),
        .required(CommandSet.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
        .optional(CommandSet.moveOriginatorAETitle, \.moveOriginatorAETitle),
        .optional(CommandSet.moveOriginatorMessageID, \.moveOriginatorMessageID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-STORE-RSP (PS3.7 §9.3.1.2).
public struct CStoreResponse: CommandFieldTable {
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

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil, affectedSOPInstanceUID: nil, status: .success) }
    static let commandField = CommandField.cStoreRSP
    static let dataSet = CommandDataSet<Self>.never
    static let fields: [CommandElement<Self>] = [
        .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
        .required(CommandSet.status, \.status),
        .tags(CommandSet.offendingElement, \.offendingElements),
        .optional(CommandSet.errorComment, \.errorComment),
        .optional(CommandSet.affectedSOPInstanceUID, \.affectedSOPInstanceUID),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-FIND-RQ (PS3.7 §9.3.2.1); the identifier (the query keys) follows as the data set.
public struct CFindRequest: CommandFieldTable {
    public var messageID: UInt16
    public var priority: DIMSEPriority
    /// The information model (e.g. Study Root Query/Retrieve – FIND, PS3.4 C.6.2).
    public var affectedSOPClassUID: String

    public init(messageID: UInt16, priority: DIMSEPriority = .medium, affectedSOPClassUID: String) {
        self.messageID = messageID
        self.priority = priority
        self.affectedSOPClassUID = affectedSOPClassUID
    }

    init() { self.init(messageID: 0, affectedSOPClassUID: "") }
    static let commandField = CommandField.cFindRQ
    static let dataSet = CommandDataSet<Self>.always
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.priority, \.priority),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-FIND-RSP (PS3.7 §9.3.2.2): pending responses carry one matching identifier each; the
/// final one (success, cancel or failure) none.
public struct CFindResponse: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus
    public var hasIdentifier: Bool
    public var errorComment: String?
    public var offendingElements: [Tag]

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String?, status: DIMSEStatus,
                hasIdentifier: Bool = false, errorComment: String? = nil, offendingElements: [Tag] = []) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.status = status
        self.hasIdentifier = hasIdentifier
        self.errorComment = errorComment
        self.offendingElements = offendingElements
    }

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil, status: .success) }
    static let commandField = CommandField.cFindRSP
    static let dataSet = CommandDataSet<Self>.optional(\.hasIdentifier)
    static let fields: [CommandElement<Self>] = [
        .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
        .required(CommandSet.status, \.status),
        .tags(CommandSet.offendingElement, \.offendingElements),
        .optional(CommandSet.errorComment, \.errorComment),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-GET-RQ (PS3.7 §9.3.3.1); the identifier follows as the data set.
public struct CGetRequest: CommandFieldTable {
    public var messageID: UInt16
    public var priority: DIMSEPriority
    public var affectedSOPClassUID: String

    public init(messageID: UInt16, priority: DIMSEPriority = .medium, affectedSOPClassUID: String) {
        self.messageID = messageID
        self.priority = priority
        self.affectedSOPClassUID = affectedSOPClassUID
    }

    init() { self.init(messageID: 0, affectedSOPClassUID: "") }
    static let commandField = CommandField.cGetRQ
    static let dataSet = CommandDataSet<Self>.always
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.priority, \.priority),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-MOVE-RQ (PS3.7 §9.3.4.1); the identifier follows as the data set.
public struct CMoveRequest: CommandFieldTable {
    public var messageID: UInt16
    public var priority: DIMSEPriority
    public var affectedSOPClassUID: String
    /// The AE title the instances go to (0000,0600).
    public var moveDestination: String

    public init(messageID: UInt16, priority: DIMSEPriority = .medium, affectedSOPClassUID: String, moveDestination: String) {
        self.messageID = messageID
        self.priority = priority
        self.affectedSOPClassUID = affectedSOPClassUID
        self.moveDestination = moveDestination
    }

    init() { self.init(messageID: 0, affectedSOPClassUID: "", moveDestination: "") }
    static let commandField = CommandField.cMoveRQ
    static let dataSet = CommandDataSet<Self>.always
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
        .required(CommandSet.messageID, \.messageID),
        .required(CommandSet.moveDestination, \.moveDestination),
        .required(CommandSet.priority, \.priority),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// Number of Remaining/Completed/Failed/Warning Sub-operations of a C-GET or C-MOVE response
/// (0000,1020–1023), each optional as PS3.7 Table 9.3-4 and 9.3-8 say when it is present.
public struct SubOperationCounts: Hashable, Sendable {
    public var remaining: UInt16?
    public var completed: UInt16?
    public var failed: UInt16?
    public var warning: UInt16?

    public init(remaining: UInt16? = nil, completed: UInt16? = nil, failed: UInt16? = nil, warning: UInt16? = nil) {
        self.remaining = remaining
        self.completed = completed
        self.failed = failed
        self.warning = warning
    }
}

/// Which retrieve a response belongs to: C-GET or C-MOVE, whose responses share their fields.
public protocol RetrieveKind: Sendable {
    static var responseField: CommandField { get }
}

public enum GetRetrieve: RetrieveKind { public static var responseField: CommandField { .cGetRSP } }
public enum MoveRetrieve: RetrieveKind { public static var responseField: CommandField { .cMoveRSP } }

/// C-GET-RSP (PS3.7 §9.3.3.2).
public typealias CGetResponse = RetrieveResponse<GetRetrieve>
/// C-MOVE-RSP (PS3.7 §9.3.4.2).
public typealias CMoveResponse = RetrieveResponse<MoveRetrieve>

/// C-GET-RSP and C-MOVE-RSP: pending responses count the sub-operations; a final response
/// with failures may carry an identifier listing the Failed SOP Instance UIDs (PS3.4 C.4.2.1.4).
public struct RetrieveResponse<Kind: RetrieveKind>: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16
    public var affectedSOPClassUID: String?
    public var status: DIMSEStatus
    public var subOperations: SubOperationCounts
    public var hasIdentifier: Bool
    public var errorComment: String?
    public var offendingElements: [Tag]

    public init(messageIDBeingRespondedTo: UInt16, affectedSOPClassUID: String?, status: DIMSEStatus,
                subOperations: SubOperationCounts = SubOperationCounts(), hasIdentifier: Bool = false,
                errorComment: String? = nil, offendingElements: [Tag] = []) {
        self.messageIDBeingRespondedTo = messageIDBeingRespondedTo
        self.affectedSOPClassUID = affectedSOPClassUID
        self.status = status
        self.subOperations = subOperations
        self.hasIdentifier = hasIdentifier
        self.errorComment = errorComment
        self.offendingElements = offendingElements
    }

    init() { self.init(messageIDBeingRespondedTo: 0, affectedSOPClassUID: nil, status: .success) }
    static var commandField: CommandField { Kind.responseField }
    static var dataSet: CommandDataSet<Self> { .optional(\.hasIdentifier) }
    /// PS3.7 Table 9.3-4 (C-GET-RSP) and Table 9.3-8 (C-MOVE-RSP).
    static var fields: [CommandElement<Self>] {
        [
            .optional(CommandSet.affectedSOPClassUID, \.affectedSOPClassUID),
            .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
            .required(CommandSet.status, \.status),
            .tags(CommandSet.offendingElement, \.offendingElements),
            .optional(CommandSet.errorComment, \.errorComment),
            .optional(CommandSet.numberOfRemainingSubOperations, \.subOperations.remaining),
            .optional(CommandSet.numberOfCompletedSubOperations, \.subOperations.completed),
            .optional(CommandSet.numberOfFailedSubOperations, \.subOperations.failed),
            .optional(CommandSet.numberOfWarningSubOperations, \.subOperations.warning),
        ]
    }
    public func encode() throws -> [UInt8] { try encodeCommand() }
}

/// C-CANCEL-RQ (PS3.7 §9.3.2.3): cancels the C-FIND, C-GET or C-MOVE with the given message ID.
public struct CCancelRequest: CommandFieldTable {
    public var messageIDBeingRespondedTo: UInt16

    public init(messageIDBeingRespondedTo: UInt16) { self.messageIDBeingRespondedTo = messageIDBeingRespondedTo }

    init() { self.init(messageIDBeingRespondedTo: 0) }
    static let commandField = CommandField.cCancelRQ
    static let dataSet = CommandDataSet<Self>.never
    static let fields: [CommandElement<Self>] = [
        .required(CommandSet.messageIDBeingRespondedTo, \.messageIDBeingRespondedTo),
    ]
    public func encode() throws -> [UInt8] { try encodeCommand() }
}
