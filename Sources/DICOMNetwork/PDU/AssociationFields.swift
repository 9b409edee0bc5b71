/// The layout A-ASSOCIATE-RQ and -AC share (PS3.8 Tables 9-11 and 9-17): protocol version,
/// reserved, called and calling AE titles, 32 reserved bytes, then variable items.
public struct AssociationFields {
    /// The DICOM application context name (PS3.7 Annex A.2.1).
    public static let dicomApplicationContextName = "1.2.840.10008.3.1.1.1"

    var protocolVersion: UInt16
    var calledAETitle: AETitle
    var callingAETitle: AETitle
    var applicationContextName: String
    var userInformation: UserInformation
    /// Readers over the bodies of the presentation context items, parsed by the RQ or AC type.
    var presentationContextItems: [PDUReader] = []

    init(
        protocolVersion: UInt16, calledAETitle: AETitle, callingAETitle: AETitle,
        applicationContextName: String, userInformation: UserInformation
    ) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.userInformation = userInformation
    }

    init(from reader: inout PDUReader, presentationContextItemType: UInt8) throws(PDUDecodingError) {
        protocolVersion = try reader.readUInt16()
        try reader.skip(2)
        calledAETitle = AETitle(received: try reader.readBytes(16)[...])
        callingAETitle = AETitle(received: try reader.readBytes(16)[...])
        try reader.skip(32)
        var applicationContext: String?
        var userInformation: UserInformation?
        while !reader.isAtEnd {
            let itemType = try reader.readUInt8()
            try reader.skip(1)
            let length = Int(try reader.readUInt16())
            var item = try reader.readSubReader(length)
            switch itemType {
            case 0x10: applicationContext = try item.readText(length)  // §9.3.2.1
            case presentationContextItemType: presentationContextItems.append(item)
            case 0x50: userInformation = try UserInformation(from: &item)  // §9.3.2.3
            default: break  // unknown items are ignored (§9.3.1)
            }
        }
        guard let applicationContext else { throw .missingItem("application context") }
        applicationContextName = applicationContext
        self.userInformation = userInformation ?? UserInformation(maximumLength: 0, implementationClassUID: "")
    }

    func encode(
        into writer: inout PDUWriter,
        presentationContexts: (inout PDUWriter) throws(PDUEncodingError) -> Void
    ) throws(PDUEncodingError) {
        writer.write(protocolVersion)
        writer.write(zeros: 2)
        writer.write(bytes: calledAETitle.field)
        writer.write(bytes: callingAETitle.field)
        writer.write(zeros: 32)
        try writer.writeItem(type: 0x10) { (item: inout PDUWriter) throws(PDUEncodingError) in
            item.write(bytes: Array(applicationContextName.utf8))
        }
        try presentationContexts(&writer)
        try userInformation.encode(into: &writer)
    }
}
