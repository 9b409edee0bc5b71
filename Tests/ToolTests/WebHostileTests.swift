import Foundation
import Testing

/// dcmweb against clients that send what curl will not: heads, bodies and TLS handshakes
/// trickled, heads oversized, too many connections, STOW-RS bodies that claim or stream more than
/// any limit
/// (scripts/web/http-abuse.py). Each gets its 4xx or 503, and the server keeps answering.
@Suite("dcmweb hostile connections", .serialized)
struct WebHostileTests {
    /// One line of `key=value` facts from scripts/web/http-abuse.py.
    static func abuse(_ arguments: [String]) async throws -> [String: Double] {
        let script = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/web/http-abuse.py").path
        let run = try await ExternalTool.runOffPool("python3", [script] + arguments)
        guard run.status == 0 else { throw ExternalTool.Failure("http-abuse.py \(arguments): \(run.stderr)") }
        var facts: [String: Double] = [:]
        for field in run.stdout.split(whereSeparator: \.isWhitespace) {
            let pair = field.split(separator: "=", maxSplits: 1)
            if pair.count == 2, let value = Double(pair[1]) { facts[String(pair[0])] = value }
        }
        return facts
    }

    @Test("[web] header_timeout: a head trickled a byte at a time is answered 408 and cut off; a keep-alive pause is not")
    func slowLoris() async throws {
        let web = try RunningWeb(toml: "[web]\nheader_timeout = 2\n")
        defer { web.remove() }
        let trickled = try await Self.abuse(["slowloris", "\(web.port)", "0.25", "30"])
        #expect(trickled["status"] == 408, "\(trickled)")
        // The deadline is 2 s; the bound leaves room for a loaded machine, well below the 60 s idle timeout.
        #expect((trickled["seconds"] ?? 99) < 15, "\(trickled)")
        // Between requests the idle timeout governs: a pause longer than header_timeout keeps the connection.
        let kept = try await Self.abuse(["keepalive", "\(web.port)", "3"])
        #expect(kept["first"] == 200 && kept["second"] == 200, "\(kept)")
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        #expect(web.stop() == 0)
    }

    @Test("a request head over 1 MiB is answered 431 and the connection closed")
    func oversizedHead() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let answered = try await Self.abuse(["bighead", "\(web.port)", "\(3 << 20)"])
        #expect(answered["status"] == 431, "\(answered)")
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        #expect(web.stop() == 0)
    }

    @Test("[web] max_connections_per_client: one connection too many is answered 503; once they close, requests pass again")
    func connectionLimit() async throws {
        let web = try RunningWeb(toml: "[web]\nmax_connections_per_client = 4\n")
        defer { web.remove() }
        let answered = try await Self.abuse(["limit", "\(web.port)", "4"])
        #expect(answered["extra"] == 503, "\(answered)")
        #expect(answered["after"] == 200, "\(answered)")
        // The refusal never reaches the access log: it has a line of its own, with the count that refused it.
        let refusal = web.logText.split(separator: "\n").first { $0.contains("connection refused") }.map(String.init) ?? ""
        let openFromClient = refusal.firstMatch(of: /"open_from_client":"(\d+)"/).flatMap { Int($0.1) } ?? 0
        #expect(refusal.contains(#""status":"503""#) && openFromClient > 4, "\(web.logText)")
        #expect(web.stop() == 0)
    }

    @Test("STOW-RS: a body declaring 5 GB, a part claiming 4 GiB and a part that never ends are answered 413; nothing is left behind")
    func oversizedStow() async throws {
        let web = try RunningWeb(toml: "[web]\nstow_max_bytes = 1048576\n")
        defer { web.remove() }
        let auth = "tech:" + RunningWeb.password("tech")
        let declared = try await Self.abuse(["stow", "\(web.port)", auth, "declared"])
        #expect(declared["status"] == 413, "\(declared)")
        let claimed = try await Self.abuse(["stow", "\(web.port)", auth, "partclaim"])
        #expect(claimed["status"] == 413, "\(claimed)")
        // The part starts as a real instance, so it streams into incoming/ until the limit.
        let start = try #require(web.sentFiles.first)
        let endless = try await Self.abuse(["stow", "\(web.port)", auth, "endless", "\(1 << 20)", start.path])
        #expect(endless["status"] == 413, "\(endless)")
        #expect((endless["sent"] ?? .infinity) < Double(16 << 20), "\(endless)")
        #expect(try await Self.incomingLeftovers(web).isEmpty)
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        #expect(web.stop() == 0)
        #expect(Self.incomingEntries(web).isEmpty, "the spare temp files outlived dcmweb")
    }

    /// The temp files in `incoming/` (its hidden entries are the directory's own).
    static func incomingEntries(_ web: RunningWeb) -> [String] {
        let incoming = web.receiver.root.appendingPathComponent("incoming").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Waits (bounded) for `incoming/` to hold nothing but the running dcmweb's spare temp files
    /// (empty, named with a live pid: created ahead of STOW-RS parts): a cut-off part is removed
    /// once its handler sees the connection gone, just after the client saw the answer.
    static func incomingLeftovers(_ web: RunningWeb) async throws -> [String] {
        let incoming = web.receiver.root.appendingPathComponent("incoming")
        func isLiveSpare(_ name: String) -> Bool {
            let size = (try? FileManager.default.attributesOfItem(atPath: incoming.appendingPathComponent(name).path))?[.size] as? Int
            let pid = name.split(separator: ".").first.map(String.init) ?? ""
            return size == 0 && Int(pid) != nil && FileManager.default.fileExists(atPath: "/proc/\(pid)")
        }
        var leftovers: [String] = []
        for _ in 0..<50 {
            leftovers = incomingEntries(web).filter { !isLiveSpare($0) }
            if leftovers.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return leftovers
    }

    @Test("[web] body_min_rate: a STOW-RS body trickled below the rate is answered 408 and leaves nothing; a slow one above it is stored")
    func slowBody() async throws {
        // 2 s of grace, then 1,000 bytes a second on average.
        let web = try RunningWeb(toml: "[web]\nheader_timeout = 2\nbody_min_rate = 1000\n")
        defer { web.remove() }
        let auth = "tech:" + RunningWeb.password("tech")
        let instance = try #require(web.sentFiles.first)
        // 100 bytes every 0.5 s (200 B/s) falls behind at about 2.5 s, long before the file is sent.
        let trickled = try await Self.abuse(["slowbody", "\(web.port)", auth, "100", "0.5", "60", instance.path])
        #expect(trickled["status"] == 408, "\(trickled)")
        #expect((trickled["seconds"] ?? 99) < 20, "\(trickled)")
        #expect(try await Self.incomingLeftovers(web).isEmpty)
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        // The whole instance in 40 pieces 0.1 s apart: about 5 KB/s, lasting past the grace period.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: instance.path)[.size] as? Int)
        let steady = try await Self.abuse(["slowbody", "\(web.port)", auth, "\(size / 40 + 1)", "0.1", "60", instance.path])
        #expect(steady["status"] == 200, "\(steady)")
        #expect(web.stop() == 0)
        #expect(Self.incomingEntries(web).isEmpty, "the spare temp files outlived dcmweb")
    }

    @Test("STOW-RS with Expect: 100-continue gets the interim response at once, then its final answer; so does a wrong password")
    func expectContinue() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let instance = try #require(web.sentFiles.first)
        let stored = try await Self.abuse(["expect", "\(web.port)", "tech:" + RunningWeb.password("tech"), instance.path])
        #expect(stored["interim"] == 100 && stored["status"] == 200, "\(stored)")
        // Without the interim response the client waits its own timeout (10 s here, 1 s for curl).
        #expect((stored["waited"] ?? 99) < 5, "\(stored)")
        let refused = try await Self.abuse(["expect", "\(web.port)", "tech:wrong-password", instance.path])
        #expect(refused["interim"] == 100 && refused["status"] == 401, "\(refused)")
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        #expect(web.stop() == 0)
    }

    @Test("HTTPS: a ClientHello trickled a byte at a time, and a connection that never sends one, are closed within header_timeout")
    func slowHandshake() async throws {
        let pair = try TestCertificate()
        defer { pair.remove() }
        let web = try RunningWeb(toml: "[web]\nheader_timeout = 2\ntls_certificate = \"\(pair.certificate)\"\n"
                                     + "tls_key = \"\(pair.key)\"\n")
        defer { web.remove() }
        // The deadline is 2 s; the bound leaves room for a loaded machine, well below the 60 s idle timeout.
        let trickled = try await Self.abuse(["tlstrickle", "\(web.port)", "0.25", "50"])
        #expect(trickled["closed"] == 1 && (trickled["seconds"] ?? 99) < 15, "\(trickled)")
        let silent = try await Self.abuse(["tlssilent", "\(web.port)", "50"])
        #expect(silent["closed"] == 1 && (silent["seconds"] ?? 99) < 15, "\(silent)")
        let answered = try await HTTPExchange.curl(["--cacert", pair.certificate, "https://127.0.0.1:\(web.port)/healthz"])
        #expect(answered.status == 200)
        #expect(web.stop() == 0)
    }
}
