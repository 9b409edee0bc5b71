/// Byte fixtures for the PDU codec. The DCMTK ones were captured from `echoscu` talking to
/// `storescp` (DCMTK 3.6.7); the others are written by hand from PS3.8 §9.3.
enum PDUFixtures {
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// echoscu's A-ASSOCIATE-RQ.
    static let dcmtkAssociateRQ: [[UInt8]] = [
        hex("01 00 000000CD"),               // A-ASSOCIATE-RQ, length 205
        hex("0001 0000"),                    // protocol version 1, reserved
        ascii("ANY-SCP         "),           // called AE title, space padded to 16
        ascii("ECHOSCU         "),           // calling AE title
        [UInt8](repeating: 0, count: 32),    // reserved
        hex("10 00 0015"), ascii("1.2.840.10008.3.1.1.1"),  // application context (21 bytes)
        hex("20 00 002E 01 00 FF 00"),       // presentation context 1, length 46 (DCMTK puts FF in a reserved byte)
        hex("30 00 0011"), ascii("1.2.840.10008.1.1"),      //   abstract syntax: Verification
        hex("40 00 0011"), ascii("1.2.840.10008.1.2"),      //   transfer syntax: Implicit VR LE
        hex("50 00 003A"),                   // user information, length 58
        hex("51 00 0004 00004000"),          //   maximum length 16384
        hex("52 00 001B"), ascii("1.2.276.0.7230010.3.0.3.6.7"),  // implementation class UID
        hex("55 00 000F"), ascii("OFFIS_DCMTK_367"),              // implementation version name
    ]

    /// storescp's A-ASSOCIATE-AC to that request.
    static let dcmtkAssociateAC: [[UInt8]] = [
        hex("02 00 000000B8"),               // A-ASSOCIATE-AC, length 184
        hex("0001 0000"),                    // protocol version 1, reserved
        ascii("ANY-SCP         "),           // called AE title (echoed, not tested)
        ascii("ECHOSCU         "),           // calling AE title (echoed)
        [UInt8](repeating: 0, count: 32),    // reserved
        hex("10 00 0015"), ascii("1.2.840.10008.3.1.1.1"),  // application context
        hex("21 00 0019 01 00 00 00"),       // presentation context 1, result 0 (acceptance)
        hex("40 00 0011"), ascii("1.2.840.10008.1.2"),      //   transfer syntax: Implicit VR LE
        hex("50 00 003A"),                   // user information
        hex("51 00 0004 00004000"),          //   maximum length 16384
        hex("52 00 001B"), ascii("1.2.276.0.7230010.3.0.3.6.7"),
        hex("55 00 000F"), ascii("OFFIS_DCMTK_367"),
    ]

    /// echoscu's C-ECHO-RQ in one P-DATA-TF.
    static let dcmtkEchoRequest: [[UInt8]] = [
        hex("04 00 0000004A"),               // P-DATA-TF, length 74
        hex("00000046 01 03"),               // PDV length 70, context 1, header 03 = command, last fragment
        hex("00000000 04000000 38000000"),   //   (0000,0000) UL 56 command group length
        hex("00000200 12000000"), ascii("1.2.840.10008.1.1"), [0],  // (0000,0002) affected SOP class, NUL padded
        hex("00000001 02000000 3000"),       //   (0000,0100) US 0030H = C-ECHO-RQ
        hex("00001001 02000000 0100"),       //   (0000,0110) message ID 1
        hex("00000008 02000000 0101"),       //   (0000,0800) command data set type 0101H = none
    ]

    static let releaseRQ = hex("05 00 00000004 00000000")  // A-RELEASE-RQ, 4 reserved bytes
    static let releaseRP = hex("06 00 00000004 00000000")  // A-RELEASE-RP

    /// A-ASSOCIATE-RJ: reserved, result 1 (permanent), source 1 (service user), reason 7 (called AE not recognized).
    static let associateRJ = hex("03 00 00000004 00 01 01 07")

    /// A-ABORT: 2 reserved, source 2 (service provider), reason 6 (invalid PDU parameter value).
    static let abort = hex("07 00 00000004 0000 02 06")

    /// A-ASSOCIATE-AC carrying every answer sub-item and a rejected context without transfer syntax.
    static let negotiatedAssociateAC: [[UInt8]] = [
        hex("02 00 000000A4"),               // A-ASSOCIATE-AC, length 164
        hex("0001 0000"), ascii("TANDEM          "), ascii("SITE1           "), [UInt8](repeating: 0, count: 32),
        hex("10 00 0015"), ascii("1.2.840.10008.3.1.1.1"),  // application context
        hex("21 00 0008 03 00 03 00"),       // context 3: result 3, abstract syntax not supported
        hex("40 00 0000"),                   //   empty transfer syntax sub-item
        hex("50 00 0037"),                   // user information, length 55
        hex("51 00 0004 00020000"),          //   maximum length 131072
        hex("53 00 0004 0001 0001"),         //   async operations window 1/1
        hex("54 00 001D 0019"), ascii("1.2.840.10008.5.1.4.1.1.2"), hex("01 00"),  // role selection for CT: SCU yes, SCP no
        hex("59 00 0002 0000"),              //   user identity AC, empty server response
    ]
}

extension Array where Element == [UInt8] {
    var joined: [UInt8] { flatMap { $0 } }
}
