/// A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4, Table 9-21).
public struct AAssociateRJ: Hashable, Sendable {
    public var result: Result
    public var source: Source
    /// Meaning depends on the source (PS3.8 Table 9-21, "Reason/Diag.").
    public var reason: UInt8

    public enum Result: UInt8, Sendable { case rejectedPermanent = 1, rejectedTransient = 2 }

    public enum Source: UInt8, Sendable {
        case serviceUser = 1
        case serviceProviderACSE = 2
        case serviceProviderPresentation = 3
    }

    /// Reasons when the source is the service user.
    public enum UserReason: UInt8, Sendable {
        case noReasonGiven = 1
        case applicationContextNameNotSupported = 2
        case callingAETitleNotRecognized = 3
        case calledAETitleNotRecognized = 7
    }

    /// Reasons when the source is the service provider, ACSE related function.
    public enum ACSEReason: UInt8, Sendable {
        case noReasonGiven = 1
        case protocolVersionNotSupported = 2
    }

    /// Reasons when the source is the service provider, presentation related function.
    public enum PresentationReason: UInt8, Sendable {
        case temporaryCongestion = 1
        case localLimitExceeded = 2
    }

    public init(result: Result, source: Source, reason: UInt8) {
        self.result = result
        self.source = source
        self.reason = reason
    }

    public static func user(_ result: Result, _ reason: UserReason) -> AAssociateRJ {
        AAssociateRJ(result: result, source: .serviceUser, reason: reason.rawValue)
    }

    public static func acse(_ result: Result, _ reason: ACSEReason) -> AAssociateRJ {
        AAssociateRJ(result: result, source: .serviceProviderACSE, reason: reason.rawValue)
    }

    public static func presentation(_ result: Result, _ reason: PresentationReason) -> AAssociateRJ {
        AAssociateRJ(result: result, source: .serviceProviderPresentation, reason: reason.rawValue)
    }

    init(from reader: inout PDUReader) throws(PDUDecodingError) {
        try reader.skip(1)
        let resultByte = try reader.readUInt8(), sourceByte = try reader.readUInt8()
        guard let result = Result(rawValue: resultByte) else { throw .invalidParameterValue("A-ASSOCIATE-RJ result \(resultByte)") }
        guard let source = Source(rawValue: sourceByte) else { throw .invalidParameterValue("A-ASSOCIATE-RJ source \(sourceByte)") }
        self.result = result
        self.source = source
        reason = try reader.readUInt8()
    }

    func encode(into writer: inout PDUWriter) {
        writer.write(UInt8(0))
        writer.write(result.rawValue)
        writer.write(source.rawValue)
        writer.write(reason)
    }
}

extension AAssociateRJ: CustomStringConvertible {
    /// E.g. "rejected-permanent, service-user, calling AE title not recognized (3)" (PS3.8 Table 9-21).
    public var description: String {
        let result = result == .rejectedPermanent ? "rejected-permanent" : "rejected-transient"
        let (source, meaning): (String, String?)
        switch self.source {
        case .serviceUser:
            source = "service-user"
            meaning = UserReason(rawValue: reason).map {
                switch $0 {
                case .noReasonGiven: "no reason given"
                case .applicationContextNameNotSupported: "application context name not supported"
                case .callingAETitleNotRecognized: "calling AE title not recognized"
                case .calledAETitleNotRecognized: "called AE title not recognized"
                }
            }
        case .serviceProviderACSE:
            source = "service-provider (ACSE)"
            meaning = ACSEReason(rawValue: reason).map {
                $0 == .noReasonGiven ? "no reason given" : "protocol version not supported"
            }
        case .serviceProviderPresentation:
            source = "service-provider (presentation)"
            meaning = PresentationReason(rawValue: reason).map {
                $0 == .temporaryCongestion ? "temporary congestion" : "local limit exceeded"
            }
        }
        return "\(result), \(source), \(meaning ?? "reason") (\(reason))"
    }
}
