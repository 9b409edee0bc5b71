import Foundation
import Testing

/// dcmweb against clients that send what curl will not: heads trickled or oversized, too many
/// connections, STOW-RS bodies that claim or stream more than any limit
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
        let incoming = web.receiver.root.appendingPathComponent("incoming")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []
        #expect(leftovers.filter { !$0.hasPrefix(".") }.isEmpty, "\(leftovers)")
        #expect(try await HTTPExchange.curl([web.url + "/healthz"]).status == 200)
        #expect(web.stop() == 0)
    }
}
