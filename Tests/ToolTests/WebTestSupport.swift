import DICOMCore
import DICOMSynthetic
import Foundation

/// A dcmweb serving an archive that dcmrecv filled from DCMTK's storescu, with one user per role
/// (password "\(name)-password-1").
final class RunningWeb {
    let receiver: RunningReceiver
    let sentDirectory: URL
    let sentFiles: [URL]
    private let server: ServingTool

    static func password(_ user: String) -> String { "\(user)-password-1" }
    static let users = ["rad": "radiologist", "tech": "technician", "boss": "admin"]

    /// - Parameter epoch: `TANDEM_EPOCH` for dcmweb, as a promote hook sets it; nil for none.
    init(toml: String = "", epoch: Int64? = nil) throws {
        receiver = try RunningReceiver.configured(toml)
        sentDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-sent-\(UUID().uuidString)")
        sentFiles = try SyntheticStudy(StudySpecification(seriesCount: 2, instancesPerSeries: 2, instanceSize: 20 * 1024,
                                                          transferSyntax: .explicitVRLittleEndian,
                                                          patientName: "Ström^Åsa", patientID: "WEB-1"))
            .write(to: sentDirectory)
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"] + sentFiles.map(\.path))
        guard sent.status == 0 else { throw ExternalTool.Failure("storescu: \(sent.stderr)") }
        _ = receiver.stop()
        for (name, role) in Self.users {
            let added = try Self.dcmweb(["user", "add", name, "--role", role, "--password-stdin",
                                         "--root", receiver.root.path], input: Self.password(name) + "\n")
            guard added.status == 0 else { throw ExternalTool.Failure("user add: \(added.stderr)") }
        }
        let root = receiver.root
        server = try ServingTool("dcmweb", epoch: epoch) { port in
            ["--root", root.path, "--bind", "127.0.0.1", "--port", "\(port)", "--log-format", "json"]
        }
    }

    var port: Int { server.port }
    var process: Process { server.process }
    var url: String { "http://127.0.0.1:\(port)" }
    var logText: String { server.logText }

    /// SIGTERM, then the exit status (a graceful stop is 0).
    func stop() -> Int32 { server.stop() }

    func remove() {
        server.remove()
        receiver.remove()
        try? FileManager.default.removeItem(at: sentDirectory)
    }

    /// Runs `dcmweb` with `input` on its stdin.
    static func dcmweb(_ arguments: [String], input: String = "") throws -> ToolRun {
        try ToolRunner.capture(ToolRunner.productsDirectory.appendingPathComponent("dcmweb"), arguments,
                               input: Data(input.utf8))
    }
}

/// An HTTP exchange through curl: status, response headers (lower-cased names), body.
struct HTTPExchange {
    let status: Int
    let headers: [String: [String]]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()]?.first }

    /// Runs curl off the cooperative pool. `arguments` are curl's (method, headers, data, URL).
    static func curl(_ arguments: [String]) async throws -> HTTPExchange {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appendingPathComponent("headers"), bodyFile = directory.appendingPathComponent("body")
        let run = try await ExternalTool.runOffPool("curl", ["-s", "-S", "--max-time", "60", "-D", headerFile.path,
                                                             "-o", bodyFile.path, "-w", "%{http_code}"] + arguments)
        guard let status = Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ExternalTool.Failure("curl \(arguments): \(run.stderr)")
        }
        var headers: [String: [String]] = [:]
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased(), default: []].append(line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces))
        }
        return HTTPExchange(status: status, headers: headers, body: (try? Data(contentsOf: bodyFile)) ?? Data())
    }
}

/// A self-signed certificate for 127.0.0.1 and its key (PEM, made by openssl) in a directory of
/// their own, for the HTTPS tests.
struct TestCertificate {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-tls-\(UUID().uuidString)")
    var certificate: String { directory.appendingPathComponent("cert.pem").path }
    var key: String { directory.appendingPathComponent("key.pem").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let made = try ExternalTool.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                                    "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
                                                    "-addext", "subjectAltName=IP:127.0.0.1"])
        guard made.status == 0 else {
            remove()
            throw ExternalTool.Failure("openssl could not make a test certificate: \(made.stderr)")
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
