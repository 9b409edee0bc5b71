/// A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11): the requestor's proposal.
public struct AAssociateRQ: Hashable, Sendable {
    /// Bit 0 set means version 1, the only version defined (PS3.8 §9.3.2).
    public var protocolVersion: UInt16
    public var calledAETitle: AETitle
    public var callingAETitle: AETitle
    public var applicationContextName: String
    public var presentationContexts: [PresentationContextRQ]
    public var userInformation: UserInformation

    public init(
        calledAETitle: AETitle, callingAETitle: AETitle,
        applicationContextName: String = AssociationFields.dicomApplicationContextName,
        presentationContexts: [PresentationContextRQ], userInformation: UserInformation,
        protocolVersion: UInt16 = 1
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        let fields = try AssociationFields(from: &reader, presentationContextItemType: 0x20)
        protocolVersion = fields.protocolVersion
        calledAETitle = fields.calledAETitle
        callingAETitle = fields.callingAETitle
        applicationContextName = fields.applicationContextName
        userInformation = fields.userInformation
        presentationContexts = []
        for var item in fields.presentationContextItems {
            presentationContexts.append(try PresentationContextRQ(from: &item))
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
