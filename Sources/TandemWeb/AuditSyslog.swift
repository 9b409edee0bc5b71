import Foundation
import TandemArchive

/// Audit rows shipped to a practice's SIEM as RFC 5424 syslog messages over UDP (RFC 5426), one
/// datagram each, the message body a DICOM Audit Message (PS3.15 A.5, the RFC 3881 schema as
/// DICOM extends it). Sending is best effort, as UDP syslog is: the index row is the record.
final class AuditSyslog: Sendable {
    let destination: SyslogDestination
    /// Audit Source ID (PS3.15 A.5.1): the archive's AE title.
    let sourceID: String
    let hostName: String
    private let socket: Int32
    private let address: Data

    init(destination: SyslogDestination, sourceID: String) throws {
        self.destination = destination
        self.sourceID = sourceID
        hostName = Self.hostName()
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(destination.host, String(destination.port), &hints, &found)
        guard status == 0, let first = found else {
            throw ConfigurationError(file: "tandem.toml", line: nil, key: "audit_syslog",
                                     reason: "cannot resolve \(destination.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        address = Data(bytes: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen))
        socket = Glibc.socket(first.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else {
            throw ConfigurationError(file: "tandem.toml", line: nil, key: "audit_syslog",
                                     reason: "cannot open a UDP socket: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(socket) }

    /// Sends one entry without waiting: a full socket buffer or an unreachable collector loses it.
    func send(_ entry: AuditEntry) {
        let bytes = Array(Self.line(entry, sourceID: sourceID, hostName: hostName).utf8)
        address.withUnsafeBytes { raw in
            _ = sendto(socket, bytes, bytes.count, Int32(MSG_DONTWAIT),
                       raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }

    // MARK: Formatting (pure)

    /// An RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`. Facility 10
    /// (security/authorization), severity notice, or warning for a failed action; MSGID
    /// `DICOM+RFC3881` names the body's schema.
    static func line(_ entry: AuditEntry, sourceID: String, hostName: String,
                     processID: Int32 = ProcessInfo.processInfo.processIdentifier) -> String {
        let severity = entry.outcome == "success" ? 5 : 4
        let header = "<\(10 * 8 + severity)>1 \(timestamp(entry.time)) \(headerField(hostName)) dcmweb \(processID) DICOM+RFC3881 -"
        return header + " " + message(entry, sourceID: sourceID)
    }

    /// The DICOM Audit Message of an entry (PS3.15 A.5.1 structure, A.5.3 event codes).
    static func message(_ entry: AuditEntry, sourceID: String) -> String {
        let event = Event(action: entry.action)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage>"
        xml += "<EventIdentification EventActionCode=\"\(event.actionCode)\" EventDateTime=\"\(timestamp(entry.time))\""
            + " EventOutcomeIndicator=\"\(outcomeIndicator(entry.outcome))\">"
        xml += code("EventID", event.id)
        if let type = event.type { xml += code("EventTypeCode", type) }
        xml += "</EventIdentification>"
        xml += "<ActiveParticipant UserID=\"\(escaped(entry.user))\" UserIsRequestor=\"true\""
            + " NetworkAccessPointID=\"\(escaped(entry.client))\" NetworkAccessPointTypeCode=\"2\">"
            + code("RoleIDCode", ("110153", "Source Role ID")) + "</ActiveParticipant>"
        xml += "<ActiveParticipant UserID=\"\(escaped(sourceID))\" AlternativeUserID=\"\(ProcessInfo.processInfo.processIdentifier)\""
            + " UserIsRequestor=\"false\">" + code("RoleIDCode", ("110152", "Destination Role ID")) + "</ActiveParticipant>"
        xml += "<AuditSourceIdentification AuditSourceID=\"\(escaped(sourceID))\"/>"
        if let patientID = entry.patientID, !patientID.isEmpty {
            xml += "<ParticipantObjectIdentification ParticipantObjectID=\"\(escaped(patientID))\""
                + " ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\">"
                + "<ParticipantObjectIDTypeCode csd-code=\"2\" codeSystemName=\"RFC-3881\" originalText=\"Patient Number\"/>"
                + "</ParticipantObjectIdentification>"
        }
        if let study = entry.studyUID, !study.isEmpty {
            xml += "<ParticipantObjectIdentification ParticipantObjectID=\"\(escaped(study))\""
                + " ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"3\">"
                + code("ParticipantObjectIDTypeCode", ("110180", "Study Instance UID"))
                + "</ParticipantObjectIdentification>"
        }
        return xml + "</AuditMessage>"
    }

    /// The PS3.15 A.5.3 event of an audited action, with its Event Action Code.
    struct Event {
        var id: (String, String)
        var type: (String, String)?
        var actionCode: String

        init(action: String) {
            switch action {
            case "search": (id, type, actionCode) = (("110112", "Query"), nil, "E")
            case "view": (id, type, actionCode) = (("110103", "DICOM Instances Accessed"), nil, "R")
            case "download": (id, type, actionCode) = (("110106", "Export"), nil, "R")
            case "store": (id, type, actionCode) = (("110107", "Import"), nil, "C")
            case "login": (id, type, actionCode) = (("110114", "User Authentication"), ("110122", "Login"), "E")
            case "logout": (id, type, actionCode) = (("110114", "User Authentication"), ("110123", "Logout"), "E")
            default: (id, type, actionCode) = (("110103", "DICOM Instances Accessed"), nil, "U")
            }
        }
    }

    /// 0 success, 4 minor failure (the request was refused: 4xx), 8 serious failure (5xx).
    static func outcomeIndicator(_ outcome: String) -> Int {
        if outcome == "success" { return 0 }
        return outcome.hasPrefix("failure 5") ? 8 : 4
    }

    private static func code(_ element: String, _ value: (String, String)) -> String {
        "<\(element) csd-code=\"\(value.0)\" codeSystemName=\"DCM\" originalText=\"\(escaped(value.1))\"/>"
    }

    /// RFC 5424 §6.2.3 timestamp: UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// A header field is printable US-ASCII without spaces, "-" when empty (RFC 5424 §6).
    static func headerField(_ text: String) -> String {
        let printable = String(text.unicodeScalars.filter { (33...126).contains($0.value) }.map(Character.init).prefix(255))
        return printable.isEmpty ? "-" : printable
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "-" }
        return String(cString: buffer)
    }
}
