import DICOMSynthetic
import Foundation
import Testing

/// The worklist and reading-status API over HTTP (curl): races, the heartbeat timeout, roles,
/// audit, filters, paging and neighbours.
@Suite("dcmweb: worklist and reading status API", .serialized)
struct ReadingStatusTests {
    static func post(_ base: String, _ user: String, _ study: String, _ action: String) async throws -> HTTPExchange {
        try await HTTPExchange.curl(WebTests.basic(user) + ["-H", "Content-Type: application/json",
                                                            "--data", #"{"action":"\#(action)"}"#,
                                                            base + "/api/studies/\(study)/reading"])
    }

    static func json(_ exchange: HTTPExchange) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: exchange.body) as? [String: Any])
    }

    static func studyUID(_ web: RunningWeb) async throws -> String {
        let page = try json(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/worklist"]))
        let studies = try #require(page["studies"] as? [[String: Any]])
        return try #require(studies.first?["studyInstanceUID"] as? String)
    }

    @Test("two radiologists claiming at once: exactly one wins, the other gets 409 naming the reader; technicians may not set status; every change is audited")
    func claimRace() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        _ = try RunningWeb.dcmweb(["user", "add", "rad2", "--role", "radiologist", "--password-stdin",
                                   "--root", web.receiver.root.path], input: RunningWeb.password("rad2") + "\n")
        let study = try await Self.studyUID(web)
        let base = web.url
        for round in 0..<3 {
            async let first = Self.post(base, "rad", study, "claim")
            async let second = Self.post(base, "rad2", study, "claim")
            let answers = try await [first, second]
            let statuses = answers.map { $0.status }.sorted()
            #expect(statuses == [200, 409], "round \(round): \(answers.map { $0.text })")
            let winner = try #require(answers.first { $0.status == 200 })
            let loser = try #require(answers.first { $0.status == 409 })
            let holder = try #require(Self.json(winner)["user"] as? String)
            let refusal = try Self.json(loser)
            #expect((refusal["status"] as? [String: Any])?["user"] as? String == holder)
            #expect((refusal["error"] as? String)?.contains(holder) == true)
            #expect(try await Self.post(base, holder, study, "release").status == 200)
        }
        #expect(try await Self.post(base, "tech", study, "claim").status == 403)
        #expect(try await Self.post(base, "rad", study, "bogus").status == 400)
        #expect(try await Self.post(base, "rad", "1.2.3.4.5", "claim").status == 404)
        #expect(try await Self.post(base, "rad", "1.2.abc", "claim").status == 400)

        // unread → in progress → read, and reopen; a read study cannot be claimed.
        #expect(try await Self.post(base, "rad", study, "claim").status == 200)
        #expect(try await Self.post(base, "rad2", study, "read").status == 409)
        let read = try await Self.post(base, "rad", study, "read")
        let readState = try Self.json(read)["state"] as? String
        #expect(read.status == 200 && readState == "read")
        #expect(try await Self.post(base, "rad2", study, "claim").status == 409)
        #expect(try await Self.post(base, "rad2", study, "reopen").status == 200)
        #expect(web.stop() == 0)

        let audit = try RunningWeb.dcmweb(["audit", "--json", "--study", study, "--root", web.receiver.root.path])
        let rows: [[String: Any]] = audit.stdout.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        let changes = rows.filter { row in (row["action"] as? String)?.hasPrefix("status ") == true }
        // 3 rounds of (claim won, claim refused, release) + claim, refused read, read, refused claim, reopen.
        #expect(changes.count == 14, "\(audit.stdout)")
        #expect(changes.filter { $0["outcome"] as? String == "failure 409" }.count == 5)
        #expect(changes.allSatisfy { $0["patient_id"] as? String == "WEB-1" && $0["client"] as? String == "127.0.0.1" })
        #expect(changes.last?["action"] as? String == "status reopen" && changes.last?["user"] as? String == "rad2")
    }

    @Test("an in-progress study without a heartbeat for [web] reading_timeout is unread again, and dcmweb records the lapse once in the reader's name; a heartbeat keeps it")
    func timeout() async throws {
        // Heartbeats every 4 s against a 20 s timeout: a page's period is a quarter of it, and a
        // loaded machine may delay a heartbeat by seconds without a lapse.
        let web = try RunningWeb(toml: "[web]\nreading_timeout = 20\nstudy_stable_after = 10\n")
        defer { web.remove() }
        _ = try RunningWeb.dcmweb(["user", "add", "rad2", "--role", "radiologist", "--password-stdin",
                                   "--root", web.receiver.root.path], input: RunningWeb.password("rad2") + "\n")
        let study = try await Self.studyUID(web)
        let base = web.url
        let session = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/session"]))
        #expect(session["readingTimeout"] as? Int == 20)

        #expect(try await Self.post(base, "rad", study, "claim").status == 200)
        for _ in 0..<3 {
            try await Task.sleep(for: .seconds(4))
            #expect(try await Self.post(base, "rad", study, "heartbeat").status == 200)
        }
        // 12 s after the claim, kept by heartbeats.
        let kept = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad2") + [web.url + "/api/studies/\(study)/reading"]))
        #expect(kept["state"] as? String == "in-progress" && kept["user"] as? String == "rad")
        #expect(try await Self.post(base, "rad2", study, "claim").status == 409)

        // The lapse is recorded by dcmweb itself, with nobody asking: one audit row in the reader's name.
        var lapses: [[String: Any]] = []
        for _ in 0..<45 where lapses.isEmpty {
            try await Task.sleep(for: .seconds(1))
            let audit = try RunningWeb.dcmweb(["audit", "--json", "--study", study, "--root", web.receiver.root.path])
            lapses = audit.stdout.split(separator: "\n").compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }.filter { $0["action"] as? String == "status lapse" }
        }
        #expect(lapses.count == 1 && lapses.first?["user"] as? String == "rad"
                && lapses.first?["role"] as? String == "radiologist" && lapses.first?["client"] as? String == "dcmweb"
                && lapses.first?["outcome"] as? String == "success", "\(lapses)")
        let lapsed = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad2") + [web.url + "/api/studies/\(study)/reading"]))
        #expect(lapsed["state"] as? String == "unread")
        let listed = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad2") + [web.url + "/api/worklist?status=unread"]))
        #expect(listed["total"] as? Int == 1)
        // Quiet for longer than study_stable_after: no longer arriving (the browser test sees a fresh one arriving).
        #expect((listed["studies"] as? [[String: Any]])?.first?["arriving"] as? Bool == false)
        #expect(try await Self.post(base, "rad2", study, "claim").status == 200)
        // The first reader's late heartbeat learns it lost the study.
        let late = try await Self.post(base, "rad", study, "heartbeat")
        let lateReason = try Self.json(late)["error"] as? String
        #expect(late.status == 409 && lateReason?.contains("rad2") == true)
        #expect(web.stop() == 0)
        let audit = try RunningWeb.dcmweb(["audit", "--json", "--study", study, "--root", web.receiver.root.path])
        let actions = audit.stdout.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }.compactMap { row in (row["action"] as? String).map { "\($0) \(row["user"] as? String ?? "")" } }
        #expect(actions.filter { $0.hasPrefix("status ") }
                == ["status claim rad", "status claim rad2", "status lapse rad", "status claim rad2", "status claim rad"],
                "the lapse is recorded once, between the last heartbeat and the next claim: \(audit.stdout)")
    }

    @Test("worklist API: filters, sort, paging, neighbours in the same order, choices with the [[peer]] name; bad parameters are 400; a search is audited, a refresh is not")
    func worklistAPI() async throws {
        let web = try RunningWeb(toml: """
            [[peer]]
            ae_title = "STORESCU"
            host = "127.0.0.1"
            port = 104
            name = "North Imaging"
            """)
        defer { web.remove() }
        let receiver = try RunningReceiver(root: web.receiver.root)
        defer { if receiver.process.isRunning { _ = receiver.stop() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-wl-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, name) in ["Alpha^Ann", "Bravo^Ben", "Charlie^Cy"].enumerated() {
            let files = try SyntheticStudy(StudySpecification(modality: .MR, seriesCount: 1, instancesPerSeries: 1 + index,
                                                              instanceSize: 8 * 1024, patientName: name, patientID: "WL-\(index)"))
                .write(to: directory.appendingPathComponent("\(index)"))
            #expect(try ExternalTool.run("storescu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"] + files.map(\.path)).status == 0)
        }
        #expect(receiver.stop() == 0)

        func page(_ query: String) async throws -> [String: Any] {
            try Self.json(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/worklist?" + query]))
        }
        func ids(_ page: [String: Any]) -> [String] {
            (page["studies"] as? [[String: Any]] ?? []).compactMap { $0["patientID"] as? String }
        }
        #expect(ids(try await page("")) == ["WL-2", "WL-1", "WL-0", "WEB-1"])
        #expect(ids(try await page("sort=patientName&order=asc")) == ["WL-0", "WL-1", "WL-2", "WEB-1"])
        #expect(ids(try await page("sort=instances&order=desc&limit=2")) == ["WEB-1", "WL-2"])
        let second = try await page("sort=instances&order=desc&limit=2&offset=2")
        #expect(ids(second) == ["WL-1", "WL-0"] && second["total"] as? Int == 4)
        #expect(ids(try await page("modality=MR&sort=patientID&order=asc")) == ["WL-0", "WL-1", "WL-2"])
        #expect(ids(try await page("q=bra")) == ["WL-1"])
        #expect(ids(try await page("q=%C3%A5sa")) == ["WEB-1"])  // "åsa", the given name of Ström^Åsa
        #expect(ids(try await page("centre=STORESCU&sort=patientID&order=asc")).count == 4)
        #expect(ids(try await page("centre=ELSEWHERE")).isEmpty)
        #expect(ids(try await page("from=19000101&to=19000102")).isEmpty)
        let first = try #require((try await page("sort=patientName&order=asc"))["studies"] as? [[String: Any]])
        let centre = try #require(first[0]["centre"] as? [String: Any])
        #expect(centre["ae"] as? String == "STORESCU" && centre["name"] as? String == "North Imaging")
        #expect(first[2]["instances"] as? Int == 3 && first[2]["series"] as? Int == 1)
        #expect((first[0]["status"] as? [String: Any])?["state"] as? String == "unread")

        let middle = try #require(first[1]["studyInstanceUID"] as? String)
        let neighbours = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad") + [
            web.url + "/api/worklist/neighbours?study=\(middle)&sort=patientName&order=asc"]))
        #expect(neighbours["previous"] as? String == first[0]["studyInstanceUID"] as? String)
        #expect(neighbours["next"] as? String == first[2]["studyInstanceUID"] as? String)
        #expect(neighbours["position"] as? Int == 2 && neighbours["total"] as? Int == 4)

        // For several orders, each study's neighbours are the studies beside it in the page.
        for order in ["sort=arrival&order=desc", "sort=birthDate&order=asc", "sort=status&order=desc", "sort=modality&order=asc"] {
            let listed = (try await page(order))["studies"] as? [[String: Any]] ?? []
            let uids = listed.compactMap { $0["studyInstanceUID"] as? String }
            #expect(uids.count == 4)
            for (index, uid) in uids.enumerated() {
                let around = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad") + [
                    web.url + "/api/worklist/neighbours?study=\(uid)&\(order)"]))
                #expect(around["previous"] as? String == (index > 0 ? uids[index - 1] : nil), "\(order) #\(index)")
                #expect(around["next"] as? String == (index < 3 ? uids[index + 1] : nil), "\(order) #\(index)")
                #expect(around["position"] as? Int == index + 1, "\(order) #\(index)")
            }
        }

        let choices = try Self.json(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/worklist/choices"]))
        #expect((choices["modalities"] as? [String])?.contains("MR") == true)

        for bad in ["sort=patientName;DROP", "order=up", "limit=0", "limit=100000", "from=2024-01-01", "status=lost",
                    "modality=m'r", "nonsense=1", "q=a&q=b"] {
            #expect(try await HTTPExchange.curl(WebTests.basic("rad") + [web.url + "/api/worklist?" + bad]).status == 400, "\(bad)")
        }
        #expect(try await HTTPExchange.curl([web.url + "/api/worklist"]).status == 401)
        _ = try await page("refresh=1")
        #expect(web.stop() == 0)
        let audit = try RunningWeb.dcmweb(["audit", "--json", "--user", "rad", "--root", web.receiver.root.path])
        let searches = audit.stdout.split(separator: "\n").filter { $0.contains(#""action":"search""#) }
        // The 15 searches of page() (not the refresh) and the 9 refused ones, audited as failures;
        // neighbours and choices are not searches.
        #expect(searches.count == 15 + 9, "\(audit.stdout)")
    }
}
