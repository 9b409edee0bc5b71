/// SCP/SCU role selection sub-item (PS3.7 §D.3.3.4, item type 54H). In a request, true
/// proposes the role; in an answer, true accepts it.
public struct RoleSelection: Hashable, Sendable {
    public var sopClassUID: String
    public var scuRole: Bool
    public var scpRole: Bool

    public init(sopClassUID: String, scuRole: Bool, scpRole: Bool) {
        self.sopClassUID = sopClassUID
        self.scuRole = scuRole
        self.scpRole = scpRole
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        sopClassUID = try reader.readText(Int(try reader.readUInt16()))
        scuRole = try reader.readUInt8() != 0
        scpRole = try reader.readUInt8() != 0
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x54) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            try sub.writeUInt16LengthPrefixed(text: sopClassUID)
            sub.write(UInt8(scuRole ? 1 : 0))
            sub.write(UInt8(scpRole ? 1 : 0))
        }
    }
}
