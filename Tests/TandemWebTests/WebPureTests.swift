import Foundation
import NIOCore
import TandemArchive
import Testing
@testable import TandemWeb

@Suite("dcmweb's pure parts: metadata templates, HTTPS redirects, syslog audit lines")
struct WebPureTests {
    @Test("a metadata template gets the instance URL at each marker, and only there")
    func templateFilling() {
        let marker = String(Character(DicomJSONWriter.instanceURLMarker))
        let template = Data(("{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"A\\u0001B\"}]},"
                             + "\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"\(marker)/bulkdata/7FE00010\"}}").utf8)
        var buffer = ByteBuffer()
        InstanceMetadata.append(template, instanceURL: "http://h:1/dicomweb/studies/1/series/2/instances/3", to: &buffer)
        #expect(String(buffer: buffer) == "{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"A\\u0001B\"}]},"
                + "\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://h:1/dicomweb/studies/1/series/2/instances/3/bulkdata/7FE00010\"}}")
        // The writer escapes a control character in data, so only a BulkDataURI carries a raw marker.
        #expect(DicomJSONWriter.quoted("A\u{01}B") == "\"A\\u0001B\"")
        #expect(DicomJSONWriter.quotedURI(marker + "/frames/1") == "\"\(marker)/frames/1\"")
    }

    @Test("the redirect keeps the requested host, path and query; a hostile or missing Host falls back to the bind address")
    func redirectLocation() {
        #expect(HTTPSRedirect.location(authority: "pacs.example:80", bindAddress: "0.0.0.0", path: "/a?b=c", httpsPort: 443)
                == "https://pacs.example/a?b=c")
        #expect(HTTPSRedirect.location(authority: "[::1]:8080", bindAddress: "::", path: "/", httpsPort: 8443)
                == "https://[::1]:8443/")
        #expect(HTTPSRedirect.location(authority: "evil.example/x@", bindAddress: "10.0.0.5", path: "/", httpsPort: 8443)
                == "https://10.0.0.5:8443/")
        #expect(HTTPSRedirect.location(authority: nil, bindAddress: "10.0.0.5", path: "/healthz", httpsPort: 443)
                == "https://10.0.0.5/healthz")
    }

    @Test("an audit entry as an RFC 5424 line: priority by outcome, escaped XML, patient and study participants")
    func syslogLine() {
        let entry = AuditEntry(time: Date(timeIntervalSince1970: 1_700_000_000.25), user: "r<a>d", role: "radiologist",
                               action: "view", studyUID: "1.2.3", patientID: "P&1", client: "10.0.0.9",
                               outcome: "failure 503")
        let line = AuditSyslog.line(entry, sourceID: "TANDEM", hostName: "node a", processID: 42)
        #expect(line.hasPrefix("<84>1 2023-11-14T22:13:20.250Z nodea dcmweb 42 DICOM+RFC3881 - <?xml"))
        #expect(line.contains("EventActionCode=\"R\"") && line.contains("EventOutcomeIndicator=\"8\"")
                && line.contains("csd-code=\"110103\""))
        #expect(line.contains("UserID=\"r&lt;a&gt;d\"") && line.contains("ParticipantObjectID=\"P&amp;1\"")
                && line.contains("ParticipantObjectID=\"1.2.3\""))
        #expect(AuditSyslog.outcomeIndicator("failure 403") == 4 && AuditSyslog.outcomeIndicator("success") == 0)
    }

    @Test("audit_syslog destinations: host:port and [IPv6]:port; anything else is refused")
    func syslogDestination() {
        #expect(SyslogDestination("siem.example:514").map { "\($0.host) \($0.port)" } == "siem.example 514")
        #expect(SyslogDestination("[::1]:514")?.host == "::1")
        for bad in ["siem.example", ":514", "host:0", "host:70000", "a b:514", "host:x"] {
            #expect(SyslogDestination(bad) == nil, "\(bad)")
        }
    }
}
