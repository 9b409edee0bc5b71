import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

@Suite("dcmweb: DICOMweb, logins and roles", .serialized)
struct WebTests {
    static func basic(_ user: String) -> [String] { ["-u", "\(user):\(RunningWeb.password(user))"] }

    @Test("dicomweb-client searches, retrieves (instances, series, metadata, frames, bulk data) and stores; all equal what was sent")
    func dicomwebClientInterop() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let stowDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-stow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: stowDirectory) }
        let stowFiles = try SyntheticStudy(StudySpecification(modality: .MR, instancesPerSeries: 1, instanceSize: 16 * 1024,
                                                              patientName: "Stow^Test", patientID: "WEB-STOW"))
            .write(to: stowDirectory)
        let stowFile = stowDirectory.appendingPathComponent("rle.dcm")
        #expect(try ExternalTool.run("dcmcrle", [stowFiles[0].path, stowFile.path]).status == 0)
        let script = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/interop/dicomweb-client-check.py")
        let run = try await ExternalTool.runOffPool("env", ["python3", script.path, web.url, "tech",
                                                            RunningWeb.password("tech"), web.sentDirectory.path,
                                                            stowFile.path])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let indexed = try ExternalTool.run("sqlite3", [web.receiver.root.appendingPathComponent("index.sqlite").path,
                                                       "SELECT instance.calling_ae FROM instance JOIN series ON series.id = series_ref "
                                                       + "JOIN study ON study.id = study_ref JOIN patient ON patient.id = patient_ref "
                                                       + "WHERE patient.patient_id = 'WEB-STOW'"])
        #expect(indexed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "DICOMWEB")
        #expect(web.stop() == 0)

        // Every action was audited, with its study and patient.
        let audit = try RunningWeb.dcmweb(["audit", "--json", "--user", "tech", "--root", web.receiver.root.path])
        let rows = audit.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(Set(rows.compactMap { $0["action"] as? String }) == ["search", "view", "download", "store"])
        let stored = try #require(rows.first { $0["action"] as? String == "store" })
        #expect(stored["patient_id"] as? String == "WEB-STOW" && stored["outcome"] as? String == "success"
                && stored["role"] as? String == "technician" && stored["client"] as? String == "127.0.0.1")
        let studyUID = try #require(stored["study_uid"] as? String)
        let forStudy = try RunningWeb.dcmweb(["audit", "--study", studyUID, "--since", "2000-01-01",
                                              "--root", web.receiver.root.path])
        #expect(forStudy.status == 0 && !forStudy.stdout.isEmpty
                && forStudy.stdout.split(separator: "\n").allSatisfy { $0.contains(studyUID) })
        #expect(try RunningWeb.dcmweb(["audit", "--since", "yesterday", "--root", web.receiver.root.path]).status == 64)
        // DCMTK's findscu finds the STOW'd study through dcmrecv's C-FIND, like any received one.
        let receiver = try RunningReceiver(root: web.receiver.root)
        defer { if receiver.process.isRunning { _ = receiver.stop() } }
        let found = try await ExternalTool.runOffPool("findscu", [
            "-S", "-aec", "TANDEM", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=WEB-STOW",
            "-k", "StudyInstanceUID", "127.0.0.1", "\(receiver.port)"])
        #expect(receiver.stop() == 0)
        #expect(found.status == 0 && (found.stdout + found.stderr).contains("WEB-STOW"), "\(found.stderr)")
    }

    @Test("every route but /healthz needs a login (401); roles gate STOW (403); tokens work until revoked; no plaintext password stored")
    func rolesAndCredentials() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        for path in ["/dicomweb/studies", "/dicomweb/series", "/dicomweb/studies/1.2.3/metadata", "/"] {
            let anonymous = try await HTTPExchange.curl(["-H", "Accept: application/dicom+json", web.url + path])
            #expect(anonymous.status == (path == "/" ? 303 : 401), "\(path)")
        }
        let unauthenticated = try await HTTPExchange.curl([web.url + "/dicomweb/studies"])
        #expect(unauthenticated.header("www-authenticate")?.hasPrefix("Basic") == true)
        #expect(try await HTTPExchange.curl(["-u", "rad:wrong-password", web.url + "/dicomweb/studies"]).status == 401)

        let studies = try await HTTPExchange.curl(Self.basic("rad") + [web.url + "/dicomweb/studies?PatientID=WEB-1"])
        #expect(studies.status == 200)
        #expect(studies.header("content-type") == "application/dicom+json")
        let results = try #require(try JSONSerialization.jsonObject(with: studies.body) as? [[String: Any]])
        #expect(results.count == 1)

        let stowBody = ["-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=x",
                        "--data-binary", "--x--", web.url + "/dicomweb/studies"]
        #expect(try await HTTPExchange.curl(Self.basic("rad") + stowBody).status == 403)
        #expect(try await HTTPExchange.curl(Self.basic("tech") + stowBody).status == 400)

        #expect(try await HTTPExchange.curl([web.url + "/metrics"]).status == 401)
        let metrics = try await HTTPExchange.curl(Self.basic("rad") + [web.url + "/metrics"])
        #expect(metrics.status == 200 && metrics.header("content-type")?.hasPrefix("text/plain") == true)
        for line in [#"tandem_web_requests_total{route="qido",status="200"} 1"#, "tandem_web_failed_logins_total 1",
                     "tandem_archive_instances 4", "tandem_archive_studies 1", #"tandem_web_request_duration_seconds_bucket{"#] {
            #expect(metrics.text.contains(line), "\(line) not in\n\(metrics.text)")
        }

        let root = web.receiver.root.path
        let created = try RunningWeb.dcmweb(["token", "create", "rad", "--name", "script", "--root", root])
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && token.hasPrefix("tdm_"))
        let bearer = ["-H", "Authorization: Bearer \(token)", web.url + "/dicomweb/studies"]
        #expect(try await HTTPExchange.curl(bearer).status == 200)
        #expect(try RunningWeb.dcmweb(["token", "revoke", "rad", "--name", "script", "--root", root]).status == 0)
        #expect(try await HTTPExchange.curl(bearer).status == 401)

        #expect(try RunningWeb.dcmweb(["user", "disable", "rad", "--root", root]).status == 0)
        #expect(try await HTTPExchange.curl(Self.basic("rad") + [web.url + "/dicomweb/studies"]).status == 401)
        let list = try RunningWeb.dcmweb(["user", "list", "--root", root])
        #expect(list.stdout.contains("rad\tradiologist\tdisabled"))

        let database = try Data(contentsOf: web.receiver.root.appendingPathComponent("index.sqlite"))
        let wal = (try? Data(contentsOf: web.receiver.root.appendingPathComponent("index.sqlite-wal"))) ?? Data()
        for user in RunningWeb.users.keys {
            let password = Data(RunningWeb.password(user).utf8)
            #expect(database.range(of: password) == nil && wal.range(of: password) == nil, "\(user)'s password stored")
            #expect(!web.logText.contains(RunningWeb.password(user)))
        }
        // The access log: one line per request, with the user once known.
        #expect(web.logText.contains(#""status":"200""#) && web.logText.contains(#""user":"rad""#))
        #expect(web.stop() == 0)
    }

    @Test("the browser signs in with a form: HttpOnly SameSite=Strict cookie, CSRF token required, sign-out ends the session")
    func browserSession() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let wrong = try await HTTPExchange.curl(["--data-urlencode", "name=rad", "--data-urlencode", "password=nope",
                                                 web.url + "/login"])
        #expect(wrong.status == 401)
        let signIn = try await HTTPExchange.curl(["--data-urlencode", "name=rad",
                                                  "--data-urlencode", "password=\(RunningWeb.password("rad"))",
                                                  web.url + "/login"])
        #expect(signIn.status == 303)
        let setCookie = try #require(signIn.header("set-cookie"))
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains("Secure"))
        let cookie = String(setCookie.split(separator: ";")[0])
        #expect(try await HTTPExchange.curl(["-H", "Cookie: \(cookie)", web.url + "/"]).status == 200)
        let session = try await HTTPExchange.curl(["-H", "Cookie: \(cookie)", web.url + "/api/session"])
        let info = try #require(try JSONSerialization.jsonObject(with: session.body) as? [String: Any])
        #expect(info["user"] as? String == "rad" && session.header("cache-control") == "no-store")
        let csrf = try #require(info["csrfToken"] as? String)
        #expect(try await HTTPExchange.curl(["-H", "Cookie: \(cookie)", web.url + "/dicomweb/studies"]).status == 200)

        // A state-changing request with the cookie but without the token, or from another origin, is refused.
        let stow = ["-X", "POST", "-H", "Cookie: \(cookie)", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=x",
                    "--data-binary", "--x--", web.url + "/dicomweb/studies"]
        #expect(try await HTTPExchange.curl(stow).status == 403)
        #expect(try await HTTPExchange.curl(["-H", "Origin: http://evil.example"] + stow).status == 403)
        #expect(try await HTTPExchange.curl(["-X", "POST", "-H", "Cookie: \(cookie)", web.url + "/logout"]).status == 403)
        let signOut = try await HTTPExchange.curl(["-H", "Cookie: \(cookie)", "--data-urlencode", "csrf_token=\(csrf)",
                                                   web.url + "/logout"])
        #expect(signOut.status == 303)
        #expect(try await HTTPExchange.curl(["-H", "Cookie: \(cookie)", web.url + "/dicomweb/studies"]).status == 401)
        #expect(try await HTTPExchange.curl(["-H", "Cookie: tandem_session=forged", web.url + "/dicomweb/studies"]).status == 401)
        #expect(web.stop() == 0)
        let audit = try RunningWeb.dcmweb(["audit", "--user", "rad", "--root", web.receiver.root.path]).stdout
        let actions = audit.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t")
            return "\(fields[3]) \(fields[7])"
        }
        // The sign-out without its CSRF token was refused, and audited so.
        #expect(actions == ["login success", "search success", "logout failure 403", "logout success"], "\(audit)")
    }

    @Test("hostile requests get a 4xx and the server keeps answering")
    func hostileRequests() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let auth = Self.basic("tech")
        // Too long for a command line: curl -G appends the file's content to the URL as its query.
        let queries = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-queries-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: queries, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: queries) }
        let huge = queries.appendingPathComponent("huge"), many = queries.appendingPathComponent("many")
        try ("PatientName=" + String(repeating: "A", count: 1_000_000)).write(to: huge, atomically: true, encoding: .utf8)
        try (0..<10_000).map { "PatientID=\($0)" }.joined(separator: "&").write(to: many, atomically: true, encoding: .utf8)
        let longValue = "PatientName=" + String(repeating: "A", count: 5_000)
        let cases: [(String, [String])] = [
            ("unknown parameter", [web.url + "/dicomweb/studies?NoSuchAttribute=1"]),
            ("bad date", [web.url + "/dicomweb/studies?StudyDate=2024-13-45"]),
            ("bad limit", [web.url + "/dicomweb/studies?limit=-1"]),
            ("5 KB value", [web.url + "/dicomweb/studies?" + longValue]),
            ("1 MB value", ["-G", "--data-binary", "@" + huge.path, web.url + "/dicomweb/studies"]),
            ("10,000 parameters", ["-G", "--data-binary", "@" + many.path, web.url + "/dicomweb/studies"]),
            ("non-UID segment", [web.url + "/dicomweb/studies/abc/metadata"]),
            ("dot-dot segment", ["--path-as-is", web.url + "/dicomweb/studies/../../index.sqlite"]),
            ("unknown study", [web.url + "/dicomweb/studies/1.2.3.4/metadata"]),
            ("unknown study's thumbnail", [web.url + "/dicomweb/studies/1.2.3.4/thumbnail"]),
            ("bad window", [web.url + "/dicomweb/studies/1.2/series/1.3/instances/1.4/rendered?window=abc"]),
            ("huge viewport", [web.url + "/dicomweb/studies/1.2/series/1.3/instances/1.4/thumbnail?viewport=100000,100000"]),
            ("unrenderable type", ["-H", "Accept: image/gif", web.url + "/dicomweb/studies/1.2/series/1.3/instances/1.4/rendered"]),
            ("STOW without boundary", ["-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"",
                                       "--data-binary", "x", web.url + "/dicomweb/studies"]),
            ("STOW wrong media type", ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "{}",
                                       web.url + "/dicomweb/studies"]),
            ("STOW truncated body", ["-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=b",
                                     "--data-binary", "--b\r\nContent-Type: application/dicom\r\n\r\nDICM", web.url + "/dicomweb/studies"]),
        ]
        for (name, arguments) in cases {
            let exchange = try await HTTPExchange.curl(auth + arguments)
            #expect((400..<500).contains(exchange.status), "\(name): \(exchange.status)")
        }
        #expect(try await HTTPExchange.curl(auth + [web.url + "/dicomweb/studies"]).status == 200)
        #expect(web.stop() == 0)
    }

    @Test("HTTPS from [web] tls_certificate and tls_key: verified TLS answers, the session cookie is Secure; half a pair exits 78")
    func https() async throws {
        let pair = try TestCertificate()
        defer { pair.remove() }
        let certificate = pair.certificate, key = pair.key
        let web = try RunningWeb(toml: "[web]\ntls_certificate = \"\(certificate)\"\ntls_key = \"\(key)\"\n")
        defer { web.remove() }
        let base = "https://127.0.0.1:\(web.port)"
        let verified = ["--cacert", certificate]
        #expect(try await HTTPExchange.curl(verified + [base + "/healthz"]).status == 200)
        #expect(try await HTTPExchange.curl(verified + Self.basic("rad") + [base + "/dicomweb/studies"]).status == 200)
        let signIn = try await HTTPExchange.curl(verified + ["--data-urlencode", "name=rad",
                                                             "--data-urlencode", "password=\(RunningWeb.password("rad"))",
                                                             base + "/login"])
        #expect(signIn.status == 303 && signIn.header("set-cookie")?.contains("Secure") == true)
        let plain = try await ExternalTool.runOffPool("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                                                               web.url + "/healthz"])
        #expect(plain.stdout != "200")
        #expect(web.stop() == 0)

        let root = web.receiver.root
        try "[web]\ntls_certificate = \"\(certificate)\"\n".write(to: root.appendingPathComponent("tandem.toml"),
                                                                    atomically: true, encoding: .utf8)
        let halfPair = try RunningWeb.dcmweb(["--root", root.path, "--port", "0"])
        #expect(halfPair.status == 78 && halfPair.stderr.contains("tls_key"), "\(halfPair.stderr)")
    }

    @Test("a newer cluster epoch fences dcmweb: it exits 75 by itself, even idle")
    func fenced() async throws {
        let web = try RunningWeb(epoch: 1)
        defer { web.remove() }
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        // What a promotion on the other node does to the shared index.
        let index = web.receiver.root.appendingPathComponent("index.sqlite").path
        #expect(try ExternalTool.run("sqlite3", [index, "UPDATE cluster_state SET epoch = epoch + 1"]).status == 0)
        for _ in 0..<300 where web.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!web.process.isRunning)
        #expect(web.stop() == 75)
    }
}
