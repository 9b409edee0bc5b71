/// The A-ASSOCIATE-RQ and A-ASSOCIATE-AC PDUs share one layout (PS3.8 §9.3.2, Table 9-11, and
/// §9.3.3, Table 9-17) and differ only in their presentation context items: the requestor's
/// proposals (item type 20H) or the acceptor's answers (21H). In the AC the AE title fields
/// repeat the request's values and are not tested on receipt (§9.3.3.2).
public struct AAssociate<PresentationContext: Hashable & Sendable>: Hashable, Sendable {
    /// Bit 0 set means version 1, the only version defined (PS3.8 §9.3.2).
    public var protocolVersion: UInt16
    public var calledAETitle: AETitle
    public var callingAETitle: AETitle
    public var applicationContextName: String
    public var presentationContexts: [PresentationContext]
    public var userInformation: UserInformation

    public init(
        calledAETitle: AETitle, callingAETitle: AETitle,
        applicationContextName: String = AssociationFields.dicomApplicationContextName,
        presentationContexts: [PresentationContext], userInformation: UserInformation,
        protocolVersion: UInt16 = 1
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}

/// A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2): the requestor's proposal.
public typealias AAssociateRQ = AAssociate<PresentationContextRQ>

/// A-ASSOCIATE-AC PDU (PS3.8 §9.3.3): the acceptor's answer to each proposed context.
public typealias AAssociateAC = AAssociate<PresentationContextAC>

/// How a presentation context item of an A-ASSOCIATE PDU is coded.
protocol PresentationContextCoding {
    /// 20H in a request, 21H in an answer.
    static var itemType: UInt8 { get }
    init(from reader: inout PDUReader) throws(PDUDecodingError)
    func encode(into writer: inout PDUWriter) throws(PDUEncodingError)
}

extension PresentationContextRQ: PresentationContextCoding {
    static let itemType: UInt8 = 0x20
}

extension PresentationContextAC: PresentationContextCoding {
    static let itemType: UInt8 = 0x21
}

extension AAssociate where PresentationContext: PresentationContextCoding {
    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        let fields = try AssociationFields(from: &reader, presentationContextItemType: PresentationContext.itemType)
        protocolVersion = fields.protocolVersion
        calledAETitle = fields.calledAETitle
        callingAETitle = fields.callingAETitle
        applicationContextName = fields.applicationContextName
        userInformation = fields.userInformation
        presentationContexts = []
        for var item in fields.presentationContextItems {
            presentationContexts.append(try PresentationContext(from: &item))
        }
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        let fields = AssociationFields(
            protocolVersion: protocolVersion, calledAETitle: calledAETitle, callingAETitle: callingAETitle,
            applicationContextName: applicationContextName, userInformation: userInformation)
        try fields.encode(into: &writer) { (writer: inout PDUWriter) throws(PDUEncodingError) in
            for context in presentationContexts { try context.encode(into: &writer) }
        }
    }
}
