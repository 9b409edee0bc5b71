import DICOMCore
import Foundation
import Testing

/// `dcmroute` against destinations that abort, time out or answer failure statuses, and an
/// index locked by another process: nothing is lost, and nothing is marked done without a success.
@Suite("dcmroute under faults", .serialized)
struct RouteFaultTests {
    static func state(_ lab: RoutingLab) async throws -> String? {
        try await lab.job("state") as? String
    }

    @Test("a destination that aborts mid-study gets the study on a later attempt")
    func abortedMidStudy() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        let study = try lab.study(count: 6)
        try await lab.send(study.map(\.file))
        try await lab.startDestination(["--abort-after"])
        try lab.startRouter()
        #expect(try await eventually(seconds: 30) { try await lab.job("attempts") as? Int ?? 0 >= 1 })
        let failed = try #require(try await lab.jobs().first)
        #expect((failed["last_error"] as? String)?.contains("abort") == true, "\(failed)")
        await lab.stopDestination()
        try await lab.startDestination()
        #expect(try await RouteTests.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
        #expect(try await eventually(seconds: 10) { try await Self.state(lab) == "done" })
        // Each aborted attempt stored one instance it never acknowledged; that one may come twice.
        let duplicates = lab.receptions().values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= (failed["attempts"] as? Int ?? 0) + 1)
    }

    @Test("a destination that never answers times out and is retried")
    func silentDestinationTimesOut() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        let study = try lab.study(count: 2)
        try await lab.send(study.map(\.file))
        try await lab.startDestination(["--sleep-during", "30"])
        try lab.startRouter(["--dimse-timeout", "2"])
        #expect(try await eventually(seconds: 30) { try await lab.job("attempts") as? Int ?? 0 >= 1 })
        #expect((try await lab.job("last_error") as? String)?.contains("timed out") == true)
        await lab.stopDestination()
        try await lab.startDestination()
        #expect(try await RouteTests.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
    }

    @Test("failure statuses: A700 is retried, A900 is recorded on its instance and the job ends dead")
    func failureStatusesAreRecordedPerInstance() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        let study = try lab.study(count: 5)
        try await lab.send(study.map(\.file))
        let (refused, busy) = (study[1].uid, study[3].uid)
        let destination = try await ScriptedDestination.start(in: lab, refusedUID: refused, busyUID: busy)
        defer { kill(destination.processIdentifier, SIGKILL); destination.waitUntilExit() }
        try lab.startRouter()
        #expect(try await eventually(seconds: 30) { try await Self.state(lab) == "dead" }, "\(lab.routerLog)")
        #expect(await lab.stopRouter() == 0)

        let receptions = lab.receptions()
        #expect(Set(receptions.keys) == Set(study.map(\.uid)).subtracting([refused]))
        #expect(receptions.values.allSatisfy { $0 == 1 })
        let show = try await lab.dcmroute(["show", "1"])
        let refusedLine = show.stdout.split(separator: "\n").first { $0.contains(refused) }
        #expect(refusedLine?.contains("failed") == true && refusedLine?.contains("A900") == true, "\(show.stdout)")
        let busyLine = show.stdout.split(separator: "\n").first { $0.contains(busy) }
        #expect(busyLine?.contains("delivered") == true, "\(show.stdout)")
    }

    @Test("a study deleted while queued ends its job dead, naming why, and sends nothing")
    func studyDeletedWhileQueued() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        let study = try lab.study(count: 3)
        try await lab.send(study.map(\.file))
        #expect(try await lab.dcmroute(["once"]).status == 1)  // destination down: the job waits to retry
        // The archive has no delete command yet: remove the instances as one would.
        _ = try await lab.sql("DELETE FROM instance")
        try await lab.startDestination()
        #expect(try await lab.dcmroute(["retry", "1"]).status == 0)
        #expect(try await lab.dcmroute(["once"]).status == 1)
        let job = try #require(try await lab.jobs().first)
        #expect(job["state"] as? String == "dead")
        #expect(try await lab.dcmroute(["show", "1"]).stdout.components(separatedBy: "no longer in the archive").count == 4)
        #expect(lab.receptions().isEmpty)
    }

    @Test("an index locked by another process delays the worker, which then delivers")
    func lockedIndexIsWaitedFor() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startReceiver()
        try await lab.startDestination()
        let study = try lab.study(count: 3)
        try await lab.send(study.map(\.file))
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE"); print("locked", flush=True); time.sleep(3); db.execute("COMMIT")
            """, lab.root.appendingPathComponent("index.sqlite").path]
        let out = Pipe()
        locker.standardOutput = out
        try locker.runWithSignalsUnblocked()
        _ = await BlockingWork.run { out.fileHandleForReading.availableData }  // "locked"
        let run = try await lab.dcmroute(["once"])
        await BlockingWork.run { locker.waitUntilExit() }
        #expect(run.status == 0, "\(run.stderr)")
        RouteTests.expectDeliveredOnce(study.map(\.uid), lab)
    }
}
