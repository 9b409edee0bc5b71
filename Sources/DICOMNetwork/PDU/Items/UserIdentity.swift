/// User identity negotiation sub-item of a request (PS3.7 §D.3.3.7.1, item type 58H).
public struct UserIdentityRequest: Hashable, Sendable {
    public var identityType: IdentityType
    public var positiveResponseRequested: Bool
    /// User name, Kerberos ticket, SAML assertion or JSON web token, by type.
    public var primaryField: [UInt8]
    /// Passcode; only for type `.usernameAndPasscode`.
    public var secondaryField: [UInt8]

    /// User identity type (PS3.7 Table D.3-14).
    public struct IdentityType: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let username = IdentityType(rawValue: 1)
        public static let usernameAndPasscode = IdentityType(rawValue: 2)
        public static let kerberosServiceTicket = IdentityType(rawValue: 3)
        public static let samlAssertion = IdentityType(rawValue: 4)
        public static let jsonWebToken = IdentityType(rawValue: 5)
    }

    public init(identityType: IdentityType, positiveResponseRequested: Bool, primaryField: [UInt8], secondaryField: [UInt8] = []) {
        self.identityType = identityType
        self.positiveResponseRequested = positiveResponseRequested
        self.primaryField = primaryField
        self.secondaryField = secondaryField
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        identityType = IdentityType(rawValue: try reader.readUInt8())
        positiveResponseRequested = try reader.readUInt8() != 0
        primaryField = try reader.readBytes(Int(try reader.readUInt16()))
        secondaryField = try reader.readBytes(Int(try reader.readUInt16()))
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x58) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            sub.write(identityType.rawValue)
            sub.write(UInt8(positiveResponseRequested ? 1 : 0))
            try sub.writeUInt16LengthPrefixed { (field: inout PDUWriter) throws(PDUEncodingError) in
                field.write(bytes: primaryField)
            }
            try sub.writeUInt16LengthPrefixed { (field: inout PDUWriter) throws(PDUEncodingError) in
                field.write(bytes: secondaryField)
            }
        }
    }
}

/// User identity negotiation sub-item of an answer (PS3.7 §D.3.3.7.2, item type 59H).
public struct UserIdentityResponse: Hashable, Sendable {
    /// Kerberos server ticket, SAML response or JWT; empty for user name types.
    public var serverResponse: [UInt8]

    public init(serverResponse: [UInt8]) { self.serverResponse = serverResponse }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        serverResponse = try reader.readBytes(Int(try reader.readUInt16()))
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x59) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            try sub.writeUInt16LengthPrefixed { (field: inout PDUWriter) throws(PDUEncodingError) in
                field.write(bytes: serverResponse)
            }
        }
    }
}
