/// Asynchronous operations window sub-item (PS3.7 §D.3.3.3, item type 53H).
/// Zero in either field means unlimited.
public struct AsynchronousOperationsWindow: Hashable, Sendable {
    public var maximumOperationsInvoked: UInt16
    public var maximumOperationsPerformed: UInt16

    public init(maximumOperationsInvoked: UInt16, maximumOperationsPerformed: UInt16) {
        self.maximumOperationsInvoked = maximumOperationsInvoked
        self.maximumOperationsPerformed = maximumOperationsPerformed
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        maximumOperationsInvoked = try reader.readUInt16()
        maximumOperationsPerformed = try reader.readUInt16()
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x53) { (sub: inout PDUWriter) throws(PDUEncodingError) in
            sub.write(maximumOperationsInvoked)
            sub.write(maximumOperationsPerformed)
        }
    }
}
