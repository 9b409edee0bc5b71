import Foundation
import Testing

/// `dcmroute` delivering to DCMTK `storescp`: studies arrive complete, once each, through
/// stability waits, a destination that is down, growth after delivery, kill -9 and SIGTERM;
/// a worker under a stale epoch is refused everything.
@Suite("dcmroute with a DCMTK destination", .serialized)
struct RouteTests {
    static let onReceive = "[[route]]\nname = \"ct\"\nmatch = { modality = \"CT\" }\nto = [\"DEST\"]"
    static let onStable = "[[route]]\nname = \"stable\"\nmatch = { calling_ae = \"SITE*\" }\nto = [\"DEST\"]\ntrigger = \"on-stable\"\nstable_after = 2"

    /// Every UID received exactly once.
    static func expectDeliveredOnce(_ uids: [String], _ lab: RoutingLab) {
        let receptions = lab.receptions()
        #expect(Set(receptions.keys) == Set(uids))
        #expect(receptions.values.allSatisfy { $0 == 1 }, "duplicates: \(receptions.filter { $0.value > 1 })")
    }

    static func waitForAll(_ uids: [String], _ lab: RoutingLab, seconds: Double = 90) async throws -> Bool {
        try await eventually(seconds: seconds) { Set(lab.receptions().keys).isSuperset(of: uids) }
    }

    @Test("an on-stable study arrives complete once it has been quiet")
    func onStableStudyArrivesComplete() async throws {
        let lab = try RoutingLab(routes: Self.onStable)
        defer { lab.remove() }
        try await lab.startReceiver()
        try await lab.startDestination()
        try lab.startRouter()
        let study = try lab.study(count: 12)
        try await lab.send(study.map(\.file))
        #expect(try await Self.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
        #expect(try await eventually(seconds: 10) { try await lab.jobs().first?["state"] as? String == "done" })
        Self.expectDeliveredOnce(study.map(\.uid), lab)
        #expect(await lab.stopRouter() == 0)
    }

    @Test("a destination that is down gets the study after retries, without duplicates")
    func destinationDownThenUp() async throws {
        let lab = try RoutingLab(routes: Self.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        try lab.startRouter()
        let study = try lab.study(count: 10)
        try await lab.send(study.map(\.file))
        // Attempts only grow (the state flips between running and failed-will-retry each second).
        #expect(try await eventually(seconds: 30) { try await lab.job("attempts") as? Int ?? 0 >= 2 })
        try await lab.startDestination()
        #expect(try await Self.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
        #expect(try await eventually(seconds: 10) { try await lab.jobs().first?["state"] as? String == "done" })
        Self.expectDeliveredOnce(study.map(\.uid), lab)
    }

    @Test("a study that grows after delivery sends only the new instances")
    func grownStudySendsOnlyWhatIsNew() async throws {
        let lab = try RoutingLab(routes: Self.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        try await lab.startDestination()
        let study = try lab.study(count: 10)
        try await lab.send(study.prefix(6).map(\.file))
        #expect(try await lab.dcmroute(["once"]).status == 0)
        #expect(lab.receptions().count == 6)
        try await lab.send(study.suffix(4).map(\.file))
        #expect(try await lab.dcmroute(["once"]).status == 0)
        Self.expectDeliveredOnce(study.map(\.uid), lab)
        #expect(try await lab.jobs().count == 1)
    }

    @Test("kill -9 mid-delivery: after a restart the study is complete at the destination")
    func killedMidDeliveryResumes() async throws {
        let lab = try RoutingLab(routes: Self.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        // DCMTK's storescp answers about 20 C-STOREs a second here (Nagle's algorithm on its side).
        let study = try lab.study(count: 120)
        try await lab.send(study.map(\.file))
        try await lab.startDestination()
        try lab.startRouter(["--lease", "2"])
        #expect(try await eventually(seconds: 60) { lab.receptions().count >= 20 })
        await lab.stopRouter(signal: SIGKILL)
        let beforeRestart = lab.receptions().count
        try lab.startRouter(["--lease", "2"])
        #expect(try await Self.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
        #expect(try await eventually(seconds: 10) { try await lab.jobs().first?["state"] as? String == "done" })
        // Only instances in flight when the worker died (results not yet recorded) may come twice.
        let duplicates = lab.receptions().values.reduce(0) { $0 + $1 - 1 }
        print("kill -9 after \(beforeRestart) of \(study.count) delivered: \(duplicates) delivered twice")
        #expect(beforeRestart < study.count)
        #expect(duplicates <= 64)
    }

    @Test("SIGTERM mid-delivery exits 0 and leaves no job running")
    func sigtermReleasesTheJob() async throws {
        let lab = try RoutingLab(routes: Self.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        let study = try lab.study(count: 8)
        try await lab.send(study.map(\.file))
        try await lab.startDestination(["--sleep-after", "1"])
        try lab.startRouter()
        #expect(try await eventually(seconds: 30) { lab.receptions().count >= 1 })
        #expect(await lab.stopRouter() == 0)
        let job = try #require(try await lab.jobs().first)
        #expect(job["state"] as? String == "pending")
        await lab.stopDestination()
        try await lab.startDestination()
        #expect(try await lab.dcmroute(["once"]).status == 0)
        Self.expectDeliveredOnce(study.map(\.uid), lab)
    }

    @Test("a worker started under epoch E is refused everything once the epoch is E+1")
    func fencedWorkerIsRefused() async throws {
        let lab = try RoutingLab(routes: Self.onReceive)
        defer { lab.remove() }
        try await lab.startDestination()
        try await lab.startReceiver()
        let old = try lab.study(count: 3)
        try await lab.send(old.map(\.file))
        #expect(try await lab.dcmroute(["once"]).status == 0)
        let jobsBefore = try await lab.sql("SELECT group_concat(id || state || updated_at) FROM route_job")
        await lab.stopReceiver()

        // Under epoch 1 explicitly: a worker without TANDEM_EPOCH that starts after the promote below
        // (a slow start) would rightly find itself on a passive node (exit 7) rather than fenced.
        try lab.startRouter(environment: ["TANDEM_EPOCH": "1"])
        usleep(500_000)
        _ = try await lab.sql("UPDATE cluster_state SET epoch = epoch + 1, holder = 'node2' WHERE id = 1")  // node2 promoted
        try await lab.startReceiver(epoch: 2)  // the new active node's receiver, started by its hooks
        let fresh = try lab.study(count: 3)
        try await lab.send(fresh.map(\.file))
        try await lab.send(old.map(\.file))

        #expect(try await eventually(seconds: 20) { lab.router?.isRunning == false }, "\(lab.routerLog)")
        #expect(lab.router?.terminationStatus == 75)
        #expect(lab.routerLog.contains("fenced"))
        #expect(try await lab.sql("SELECT group_concat(id || state || updated_at) FROM route_job") == jobsBefore)
        #expect(try await lab.sql("SELECT last_instance_id FROM routing_cursor") == "3")
        #expect(Set(lab.receptions().keys) == Set(old.map(\.uid)))
    }

    @Test("a refused association ends dead after max_attempts; retry and cancel work on it")
    func rejectedUntilDeadThenRetried() async throws {
        let lab = try RoutingLab(routes: Self.onReceive,
                                 retry: "max_attempts = 2\ninitial_delay = 1\nmultiplier = 1.0\nmax_delay = 1")
        defer { lab.remove() }
        try await lab.startReceiver()
        try await lab.startDestination(["--refuse"])
        let study = try lab.study(count: 2)
        try await lab.send(study.map(\.file))
        try lab.startRouter()
        #expect(try await eventually(seconds: 30) { try await lab.jobs().first?["state"] as? String == "dead" })
        #expect(await lab.stopRouter() == 0)
        let dead = try #require(try await lab.jobs().first)
        #expect(dead["attempts"] as? Int == 2)
        #expect((dead["last_error"] as? String)?.contains("rejected") == true)

        await lab.stopDestination()
        try await lab.startDestination()
        #expect(try await lab.dcmroute(["retry", "--all-dead"]).status == 0)
        #expect(try await lab.dcmroute(["once"]).status == 0)
        Self.expectDeliveredOnce(study.map(\.uid), lab)
        #expect(try await lab.dcmroute(["cancel", "\(dead["id"] as? Int ?? 0)"]).status == 1)  // done jobs cannot be cancelled
        #expect(try await lab.dcmroute(["show", "999"]).status == 66)
    }

    @Test("enqueue routes a study by hand; a rule naming an unknown peer is a configuration error")
    func manualEnqueueAndConfigurationErrors() async throws {
        let lab = try RoutingLab(routes: "")
        defer { lab.remove() }
        try await lab.startReceiver()
        try await lab.startDestination()
        let study = try lab.study(count: 3)
        try await lab.send(study.map(\.file))
        let studyUID = try await lab.sql("SELECT study_uid FROM study")
        #expect(try await lab.dcmroute(["enqueue", "--study", studyUID, "--to", "NOBODY"]).status == 64)
        #expect(try await lab.dcmroute(["enqueue", "--study", "1.2.3.4", "--to", "DEST"]).status == 66)
        #expect(try await lab.dcmroute(["enqueue", "--study", studyUID, "--to", "DEST"]).status == 0)
        #expect(try await lab.dcmroute(["once"]).status == 0)
        Self.expectDeliveredOnce(study.map(\.uid), lab)

        let broken = try RoutingLab(routes: "[[route]]\nname = \"x\"\nto = [\"NOBODY\"]")
        defer { broken.remove() }
        let run = try await broken.dcmroute(["once"])
        #expect(run.status == 78)
        #expect(run.stderr.contains("NOBODY"))
    }
}
