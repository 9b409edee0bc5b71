import Foundation
import Testing

/// `dcmroute` against destinations that abort, time out or answer failure statuses, and an
/// index locked by another process: nothing is lost, and nothing is marked done without a success.
@Suite("dcmroute under faults", .serialized)
struct RouteFaultTests {
    static func state(_ lab: RoutingLab) throws -> String? {
        try lab.jobs().first?["state"] as? String
    }

    @Test("a destination that aborts mid-study gets the study on a later attempt")
    func abortedMidStudy() throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try lab.startReceiver()
        let study = try lab.study(count: 6)
        try lab.send(study.map(\.file))
        try lab.startDestination(["--abort-after"])
        try lab.startRouter()
        #expect(try waitUntil(seconds: 30) { try Self.state(lab) == "failed-will-retry" })
        let failed = try #require(try lab.jobs().first)
        #expect((failed["last_error"] as? String)?.contains("abort") == true, "\(failed)")
        lab.stopDestination()
        try lab.startDestination()
        #expect(try RouteTests.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
        #expect(try waitUntil(seconds: 10) { try Self.state(lab) == "done" })
        // Each aborted attempt stored one instance it never acknowledged; that one may come twice.
        let duplicates = lab.receptions().values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= (failed["attempts"] as? Int ?? 0) + 1)
    }

    @Test("a destination that never answers times out and is retried")
    func silentDestinationTimesOut() throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try lab.startReceiver()
        let study = try lab.study(count: 2)
        try lab.send(study.map(\.file))
        try lab.startDestination(["--sleep-during", "30"])
        try lab.startRouter(["--dimse-timeout", "2"])
        #expect(try waitUntil(seconds: 30) { try Self.state(lab) == "failed-will-retry" })
        #expect((try lab.jobs().first?["last_error"] as? String)?.contains("timed out") == true)
        lab.stopDestination()
        try lab.startDestination()
        #expect(try RouteTests.waitForAll(study.map(\.uid), lab), "\(lab.routerLog)")
    }

    @Test("failure statuses: A700 is retried, A900 is recorded on its instance and the job ends dead")
    func failureStatusesAreRecordedPerInstance() throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try lab.startReceiver()
        let study = try lab.study(count: 5)
        try lab.send(study.map(\.file))
        let (refused, busy) = (study[1].uid, study[3].uid)
        let destination = try ScriptedDestination.start(in: lab, refusedUID: refused, busyUID: busy)
        defer { kill(destination.processIdentifier, SIGKILL); destination.waitUntilExit() }
        try lab.startRouter()
        #expect(try waitUntil(seconds: 30) { try Self.state(lab) == "dead" }, "\(lab.routerLog)")
        #expect(lab.stopRouter() == 0)

        let receptions = lab.receptions()
        #expect(Set(receptions.keys) == Set(study.map(\.uid)).subtracting([refused]))
        #expect(receptions.values.allSatisfy { $0 == 1 })
        let show = try lab.dcmroute(["show", "1"])
        let refusedLine = show.stdout.split(separator: "\n").first { $0.contains(refused) }
        #expect(refusedLine?.contains("failed") == true && refusedLine?.contains("A900") == true, "\(show.stdout)")
        let busyLine = show.stdout.split(separator: "\n").first { $0.contains(busy) }
        #expect(busyLine?.contains("delivered") == true, "\(show.stdout)")
    }

    @Test("an index locked by another process delays the worker, which then delivers")
    func lockedIndexIsWaitedFor() throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try lab.startReceiver()
        try lab.startDestination()
        let study = try lab.study(count: 3)
        try lab.send(study.map(\.file))
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE"); print("locked", flush=True); time.sleep(3); db.execute("COMMIT")
            """, lab.root.appendingPathComponent("index.sqlite").path]
        let out = Pipe()
        locker.standardOutput = out
        try locker.run()
        _ = out.fileHandleForReading.availableData  // "locked"
        let run = try lab.dcmroute(["once"])
        locker.waitUntilExit()
        #expect(run.status == 0, "\(run.stderr)")
        RouteTests.expectDeliveredOnce(study.map(\.uid), lab)
    }
}
