/// A-ABORT PDU (PS3.8 §9.3.8, Table 9-26).
public struct AAbort: Hashable, Sendable {
    public var source: Source
    /// Significant only when the source is the service provider.
    public var reason: Reason

    /// Source field (PS3.8 Table 9-26); 1 is reserved.
    public enum Source: UInt8, Sendable {
        case serviceUser = 0
        case serviceProvider = 2
    }

    /// Reason/Diag. field when the source is the service provider (PS3.8 Table 9-26).
    public struct Reason: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let notSpecified = Reason(rawValue: 0)
        public static let unrecognizedPDU = Reason(rawValue: 1)
        public static let unexpectedPDU = Reason(rawValue: 2)
        public static let unrecognizedPDUParameter = Reason(rawValue: 4)
        public static let unexpectedPDUParameter = Reason(rawValue: 5)
        public static let invalidPDUParameterValue = Reason(rawValue: 6)
    }

    public init(source: Source, reason: Reason = .notSpecified) {
        self.source = source
        self.reason = reason
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.skip(2)
        let sourceByte = try reader.readUInt8()
        // Source 1 is reserved; treat it as a provider abort rather than refusing the abort.
        source = Source(rawValue: sourceByte) ?? .serviceProvider
        let reasonByte = try reader.readUInt8()
        // Not significant for a user abort, and not to be tested on receipt (§9.3.8).
        reason = source == .serviceUser ? .notSpecified : Reason(rawValue: reasonByte)
    }

    func encode(into writer: inout PDUWriter) {
        writer.write(zeros: 2)
        writer.write(source.rawValue)
        writer.write(source == .serviceUser ? 0 : reason.rawValue)
    }
}
