import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// dcmweb against what lies in the archive: STOW-RS to a named study, the metadata cache, HTTPS
/// redirects and audit shipping.
@Suite("dcmweb: stores, metadata cache, redirect, audit syslog", .serialized)
struct WebArchiveTests {
    @Test("STOW-RS to /studies/{study}: an instance of another study is refused (A900 in FailedSOPSequence), the rest stored (202)")
    func storeToNamedStudy() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-stow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ours = try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: 12 * 1024, patientID: "WEB-OURS"))
            .write(to: directory.appendingPathComponent("ours"))[0]
        let other = try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: 12 * 1024, patientID: "WEB-OTHER"))
            .write(to: directory.appendingPathComponent("other"))[0]
        let study = try #require(try DICOMFile(path: ours.path).dataSet.string(.studyInstanceUID))
        let otherInstance = try #require(try DICOMFile(path: other.path).dataSet.string(.sopInstanceUID))
        let oursInstance = try #require(try DICOMFile(path: ours.path).dataSet.string(.sopInstanceUID))
        let body = directory.appendingPathComponent("body")
        var bytes = Data()
        for file in [ours, other] {
            bytes += Data("--b\r\nContent-Type: application/dicom\r\n\r\n".utf8) + (try Data(contentsOf: file)) + Data("\r\n".utf8)
        }
        try (bytes + Data("--b--\r\n".utf8)).write(to: body)
        let stored = try await HTTPExchange.curl(WebTests.basic("tech") + [
            "-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=b",
            "--data-binary", "@\(body.path)", web.url + "/dicomweb/studies/\(study)"])
        #expect(stored.status == 202, "\(stored.text)")
        let answer = try #require(try JSONSerialization.jsonObject(with: stored.body) as? [String: Any])
        let failed = ((answer["00081198"] as? [String: Any])?["Value"] as? [[String: Any]]) ?? []
        let referenced = ((answer["00081199"] as? [String: Any])?["Value"] as? [[String: Any]]) ?? []
        func value(_ item: [String: Any], _ tag: String) -> Any? { ((item[tag] as? [String: Any])?["Value"] as? [Any])?.first }
        #expect(failed.count == 1 && value(failed[0], "00081155") as? String == otherInstance
                && value(failed[0], "00081197") as? Int == 0xA900)
        #expect(referenced.count == 1 && value(referenced[0], "00081155") as? String == oursInstance)
        // Only the instance of the named study is in the archive.
        let index = web.receiver.root.appendingPathComponent("index.sqlite").path
        let found = try ExternalTool.run("sqlite3", [index, "SELECT sop_instance_uid FROM instance WHERE sop_instance_uid IN ('\(oursInstance)', '\(otherInstance)')"])
        #expect(found.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == oursInstance)
        #expect(web.stop() == 0)
    }

    @Test("the metadata cache fills in the background, answers equal to the files, and an overwritten instance is read again")
    func metadataCache() async throws {
        let web = try RunningWeb(toml: "[storage]\nduplicate_policy = \"overwrite\"\n")
        defer { web.remove() }
        let index = web.receiver.root.appendingPathComponent("index.sqlite").path
        func cached() throws -> String {
            try ExternalTool.run("sqlite3", [index, "SELECT count(*) FROM instance_metadata"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // The filler covers the whole archive without any request.
        for _ in 0..<100 where try cached() != "\(web.sentFiles.count)" { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try cached() == "\(web.sentFiles.count)")
        let first = try DICOMFile(path: web.sentFiles[0].path).dataSet
        let study = try #require(first.string(.studyInstanceUID)), series = try #require(first.string(.seriesInstanceUID))
        let instance = try #require(first.string(.sopInstanceUID))
        let metadataURL = web.url + "/dicomweb/studies/\(study)/series/\(series)/instances/\(instance)/metadata"
        let before = try await HTTPExchange.curl(WebTests.basic("rad") + [metadataURL])
        #expect(before.status == 200 && before.text.contains("\"00100020\":{\"vr\":\"LO\",\"Value\":[\"WEB-1\"]}"))
        // BulkDataURIs name this server, whatever the cache holds.
        #expect(before.text.contains("\"BulkDataURI\":\"http://127.0.0.1:\(web.port)/dicomweb/studies/\(study)"))

        // Overwrite the instance with another Patient ID: the cache entry goes with the old row.
        var changed = try DICOMFile(path: web.sentFiles[0].path)
        try changed.dataSet.set(.patientID, vr: .LO, string: "WEB-1-FIXED")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixed = directory.appendingPathComponent("fixed.dcm")
        try Data(try changed.encoded()).write(to: fixed)
        var bytes = Data("--b\r\nContent-Type: application/dicom\r\n\r\n".utf8) + (try Data(contentsOf: fixed))
        bytes += Data("\r\n--b--\r\n".utf8)
        let body = directory.appendingPathComponent("body")
        try bytes.write(to: body)
        let stored = try await HTTPExchange.curl(WebTests.basic("tech") + [
            "-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=b",
            "--data-binary", "@\(body.path)", web.url + "/dicomweb/studies"])
        #expect(stored.status == 200, "\(stored.text)")
        let after = try await HTTPExchange.curl(WebTests.basic("rad") + [metadataURL])
        #expect(after.status == 200 && after.text.contains("\"Value\":[\"WEB-1-FIXED\"]"), "\(after.text.prefix(300))")
        #expect(web.stop() == 0)
    }

    @Test("a newer epoch refuses dcmweb's writes at once: the audit row of a search is not written and the search answers 503")
    func fencedWrites() async throws {
        let web = try RunningWeb(epoch: 1)
        defer { web.remove() }
        let search = WebTests.basic("rad") + [web.url + "/dicomweb/studies?PatientID=WEB-1"]
        #expect(try await HTTPExchange.curl(search).status == 200)
        let index = web.receiver.root.appendingPathComponent("index.sqlite").path
        func auditRows() throws -> String {
            try ExternalTool.run("sqlite3", [index, "SELECT count(*) FROM web_audit"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let rowsBefore = try auditRows()
        #expect(rowsBefore == "1")
        // What a promotion on the other node does; the next write checks it, before the idle check would.
        #expect(try ExternalTool.run("sqlite3", [index, "UPDATE cluster_state SET epoch = epoch + 1"]).status == 0)
        let fenced = try await HTTPExchange.curl(search)
        #expect(fenced.status == 503 && fenced.text.contains("fenced"), "\(fenced.status) \(fenced.text)")
        #expect(try auditRows() == rowsBefore)
        let health = try await HTTPExchange.curl([web.url + "/healthz"])
        #expect(health.status == 503 || !web.process.isRunning, "\(health.text)")
        for _ in 0..<300 where web.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(web.stop() == 75)
    }

    @Test("[web] http_redirect_port: plain HTTP answers 308 to the same path over HTTPS, which then serves it; a trickled head gets 408 there too")
    func redirectToHTTPS() async throws {
        let pair = try TestCertificate()
        defer { pair.remove() }
        let certificate = pair.certificate, key = pair.key
        let redirectPort = try LoopbackPort.free()
        let web = try RunningWeb(toml: "[web]\ntls_certificate = \"\(certificate)\"\ntls_key = \"\(key)\"\n"
                                 + "http_redirect_port = \(redirectPort)\nheader_timeout = 2\n")
        defer { web.remove() }
        for _ in 0..<100 where !LoopbackPort.canConnect(redirectPort) { try await Task.sleep(for: .milliseconds(50)) }
        let plain = "http://127.0.0.1:\(redirectPort)/dicomweb/studies?PatientID=WEB-1"
        let redirect = try await HTTPExchange.curl([plain])
        #expect(redirect.status == 308, "\(web.logText)")
        #expect(redirect.header("location") == "https://127.0.0.1:\(web.port)/dicomweb/studies?PatientID=WEB-1")
        // --location-trusted: curl keeps the credentials for the other port.
        let followed = try await HTTPExchange.curl(["--location-trusted", "--cacert", certificate] + WebTests.basic("rad") + [plain])
        #expect(followed.status == 200 && followed.text.contains("WEB-1"))
        let trickled = try await WebHostileTests.abuse(["slowloris", "\(redirectPort)", "0.25", "30"])
        #expect(trickled["status"] == 408, "\(trickled)")
        #expect(web.stop() == 0)

        // Without HTTPS there is nothing to redirect to: a configuration error.
        try "[web]\nhttp_redirect_port = \(redirectPort)\n".write(to: web.receiver.root.appendingPathComponent("tandem.toml"),
                                                                  atomically: true, encoding: .utf8)
        let refused = try RunningWeb.dcmweb(["--root", web.receiver.root.path, "--port", "0"])
        #expect(refused.status == 78 && refused.stderr.contains("http_redirect_port"), "\(refused.stderr)")
    }

    @Test("[web] audit_syslog: each audit row also leaves as an RFC 5424 line carrying a PS3.15 A.5 audit message")
    func auditSyslog() async throws {
        let collector = try UDPCollector()
        defer { collector.close() }
        let web = try RunningWeb(toml: "[web]\naudit_syslog = \"127.0.0.1:\(collector.port)\"\n")
        defer { web.remove() }
        #expect(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/dicomweb/studies?PatientID=WEB-1"]).status == 200)
        let line = try #require(try await BlockingWork.run { collector.receive(timeout: 10) })
        // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG; facility 10, severity notice.
        let fields = line.split(separator: " ", maxSplits: 7).map(String.init)
        #expect(fields.count == 8 && fields[0] == "<85>1" && fields[3] == "dcmweb"
                && fields[4] == "\(web.process.processIdentifier)" && fields[5] == "DICOM+RFC3881" && fields[6] == "-")
        #expect(fields[1].hasSuffix("Z") && ISO8601DateFormatter().date(from: fields[1].replacingOccurrences(
            of: #"\.\d+Z$"#, with: "Z", options: .regularExpression)) != nil)
        let message = fields.count == 8 ? fields[7] : ""
        // Well-formed XML with the Query event, the user and the client as the requestor, the archive as source.
        let parsed = try ExternalTool.run("python3", ["-c", """
            import sys, xml.etree.ElementTree as E
            m = E.fromstring(sys.argv[1].split("?>", 1)[1])
            e = m.find("EventIdentification")
            u = m.find("ActiveParticipant")
            print(e.get("EventActionCode"), e.get("EventOutcomeIndicator"), e.find("EventID").get("csd-code"),
                  u.get("UserID"), u.get("NetworkAccessPointID"), m.find("AuditSourceIdentification").get("AuditSourceID"))
            """, message])
        #expect(parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "E 0 110112 rad 127.0.0.1 TANDEM",
                "\(parsed.stdout) \(parsed.stderr) \(message)")
        #expect(web.stop() == 0)
    }
}

/// A syslog collector on a loopback UDP port.
final class UDPCollector: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(udp, $0, &length) }
        }
        guard udp >= 0, bound == 0, named == 0 else { throw ExternalTool.Failure("no UDP socket") }
        descriptor = udp
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// One datagram as text, nil when none arrives within `timeout` seconds.
    func receive(timeout: Int) -> String? {
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    func close() { Glibc.close(descriptor) }
}
