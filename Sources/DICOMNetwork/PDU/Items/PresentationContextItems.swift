/// Presentation context item of an A-ASSOCIATE-RQ (PS3.8 §9.3.2.2, item type 20H): one
/// abstract syntax sub-item (30H) and one or more transfer syntax sub-items (40H).
public struct PresentationContextRQ: Hashable, Sendable {
    /// Odd number 1–255 (PS3.8 §9.3.2.2).
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntaxes: [String]

    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        id = try reader.readUInt8()
        try reader.skip(3)
        var abstractSyntax: String?
        transferSyntaxes = []
        while !reader.isAtEnd {
            let type = try reader.readUInt8()
            try reader.skip(1)
            let length = Int(try reader.readUInt16())
            switch type {
            case 0x30: abstractSyntax = try reader.readText(length)
            case 0x40: transferSyntaxes.append(try reader.readText(length))
            default: try reader.skip(length)
            }
        }
        guard let abstractSyntax else { throw .missingItem("abstract syntax of presentation context \(id)") }
        self.abstractSyntax = abstractSyntax
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x20) { (item: inout PDUWriter) throws(PDUEncodingError) in
            item.write(id)
            item.write(zeros: 3)
            try item.writeItem(type: 0x30) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                sub.write(bytes: Array(abstractSyntax.utf8))
            }
            for syntax in transferSyntaxes {
                try item.writeItem(type: 0x40) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                    sub.write(bytes: Array(syntax.utf8))
                }
            }
        }
    }
}

/// Presentation context item of an A-ASSOCIATE-AC (PS3.8 §9.3.3.2, item type 21H).
public struct PresentationContextAC: Hashable, Sendable {
    public var id: UInt8
    public var result: Result
    /// The accepted transfer syntax; not significant unless the result is acceptance.
    public var transferSyntax: String

    /// Result/reason field (PS3.8 Table 9-18).
    public struct Result: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let acceptance = Result(rawValue: 0)
        public static let userRejection = Result(rawValue: 1)
        public static let noReason = Result(rawValue: 2)
        public static let abstractSyntaxNotSupported = Result(rawValue: 3)
        public static let transferSyntaxesNotSupported = Result(rawValue: 4)
    }

    public init(id: UInt8, result: Result, transferSyntax: String) {
        self.id = id
        self.result = result
        self.transferSyntax = transferSyntax
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        id = try reader.readUInt8()
        try reader.skip(1)
        result = Result(rawValue: try reader.readUInt8())
        try reader.skip(1)
        // Some acceptors omit the transfer syntax sub-item of a rejected context.
        transferSyntax = ""
        while !reader.isAtEnd {
            let type = try reader.readUInt8()
            try reader.skip(1)
            let length = Int(try reader.readUInt16())
            if type == 0x40 { transferSyntax = try reader.readText(length) } else { try reader.skip(length) }
        }
    }

    func encode(into writer: inout PDUWriter) throws(PDUEncodingError) {
        try writer.writeItem(type: 0x21) { (item: inout PDUWriter) throws(PDUEncodingError) in
            item.write(id)
            item.write(UInt8(0))
            item.write(result.rawValue)
            item.write(UInt8(0))
            try item.writeItem(type: 0x40) { (sub: inout PDUWriter) throws(PDUEncodingError) in
                sub.write(bytes: Array(transferSyntax.utf8))
            }
        }
    }
}
