/// User information item (PS3.8 §9.3.2.3, item type 50H) and its sub-items (PS3.7 Annex D).
/// Unknown sub-items are skipped (PS3.7 §D.3.3).
public struct UserInformation: Hashable, Sendable {
    /// Largest P-DATA-TF variable field the sender can receive; 0 means no limit (PS3.8 §D.1).
    public var maximumLength: UInt32
    /// PS3.7 §D.3.3.2.
    public var implementationClassUID: String
    public var implementationVersionName: String?
    public var asynchronousOperationsWindow: AsynchronousOperationsWindow?
    public var roleSelections: [RoleSelection]
    public var extendedNegotiations: [SOPClassExtendedNegotiation]
    public var commonExtendedNegotiations: [SOPClassCommonExtendedNegotiation]
    public var userIdentityRequest: UserIdentityRequest?
    public var userIdentityResponse: UserIdentityResponse?

    public init(
        maximumLength: UInt32, implementationClassUID: String, implementationVersionName: String? = nil,
        asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil, roleSelections: [RoleSelection] = [],
        extendedNegotiations: [SOPClassExtendedNegotiation] = [],
        commonExtendedNegotiations: [SOPClassCommonExtendedNegotiation] = [],
        userIdentityRequest: UserIdentityRequest? = nil, userIdentityResponse: UserIdentityResponse? = nil
    ) {
        self.maximumLength = maximumLength
        self.implementationClassUID = implementationClassUID
        self.implementationVersionName = implementationVersionName
        self.asynchronousOperationsWindow = asynchronousOperationsWindow
        self.roleSelections = roleSelections
        self.extendedNegotiations = extendedNegotiations
        self.commonExtendedNegotiations = commonExtendedNegotiations
        self.userIdentityRequest = userIdentityRequest
        self.userIdentityResponse = userIdentityResponse
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        self.init(maximumLength: 0, implementationClassUID: "")
        while !reader.isAtEnd {
            let type = try reader.readUInt8()
            let secondByte = try reader.readUInt8()
            let length = Int(try reader.readUInt16())
            var item = try reader.readSubReader(length)
            switch type {
            case 0x51:
                guard length == 4 else { throw .invalidParameterValue("maximum length sub-item of length \(length)") }
                maximumLength = try item.readUInt32()
            case 0x52: implementationClassUID = try item.readText(length)
            case 0x53: asynchronousOperationsWindow = try AsynchronousOperationsWindow(from: &item)
            case 0x54: roleSelections.append(try RoleSelection(from: &item))
            case 0x55: implementationVersionName = try item.readText(length)
            case 0x56: extendedNegotiations.append(try SOPClassExtendedNegotiation(from: &item))
            case 0x57:
                commonExtendedNegotiations.append(
                    try SOPClassCommonExtendedNegotiation(from: &item, version: secondByte))
            case 0x58: userIdentityRequest = try UserIdentityRequest(from: &item)
            case 0x59: userIdentityResponse = try UserIdentityResponse(from: &item)
            default: break
            }
        }
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x50) { (item: inout PDUWriter) throws(PDUEncodingError) in
            try item.writeItem(type: 0x51) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                sub.write(maximumLength)
            }
            if !implementationClassUID.isEmpty {
                try item.writeItem(type: 0x52) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                    sub.write(bytes: Array(implementationClassUID.utf8))
                }
            }
            if let asynchronousOperationsWindow { try asynchronousOperationsWindow.encode(into: &item) }
            for role in roleSelections { try role.encode(into: &item) }
            if let implementationVersionName {
                try item.writeItem(type: 0x55) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                    sub.write(bytes: Array(implementationVersionName.utf8))
                }
            }
            for negotiation in extendedNegotiations { try negotiation.encode(into: &item) }
            for negotiation in commonExtendedNegotiations { try negotiation.encode(into: &item) }
            if let userIdentityRequest { try userIdentityRequest.encode(into: &item) }
            if let userIdentityResponse { try userIdentityResponse.encode(into: &item) }
        }
    }
}
