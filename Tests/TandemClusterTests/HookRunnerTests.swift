import Foundation
import Testing
@testable import TandemCluster

@Suite struct HookRunnerTests {
    @Test func runsExecutablesInNameOrderWithTheEnvironment() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let log = scratch.base.appendingPathComponent("order").path
        try scratch.hook("promote.d", "20-second", "echo \"20 $TANDEM_EPOCH\" >> \(log)")
        try scratch.hook("promote.d", "10-first", "echo \"10 $TANDEM_EPOCH\" >> \(log)")
        try scratch.hook("promote.d", "30-not-executable", "echo 30 >> \(log)", executable: false)

        let runner = HookRunner(directory: scratch.hooks.appendingPathComponent("promote.d"))
        let results = try await runner.run(environment: ["TANDEM_EPOCH": "7"])

        #expect(results.map(\.name) == ["10-first", "20-second"])
        #expect(scratch.read("order") == "10 7\n20 7\n")
    }

    @Test func aFailingHookStopsThePhaseAndIsReported() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let log = scratch.base.appendingPathComponent("ran").path
        try scratch.hook("demote.d", "10-fails", "echo 'cannot drop the address' >&2; exit 3")
        try scratch.hook("demote.d", "20-after", "echo ran >> \(log)")

        let runner = HookRunner(directory: scratch.hooks.appendingPathComponent("demote.d"))
        await #expect(throws: ClusterError.hookFailed(name: "10-fails", status: 3, output: "cannot drop the address")) {
            try await runner.run(environment: [:])
        }
        #expect(scratch.read("ran").isEmpty)
    }

    @Test func aHookThatHangsIsKilledAfterTheTimeout() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.hook("promote.d", "10-hangs", "exec sleep 30")

        let runner = HookRunner(directory: scratch.hooks.appendingPathComponent("promote.d"), timeout: 0.5)
        // The timed-out status proves the kill: a sleep left to end by itself would exit 0.
        await #expect(throws: ClusterError.hookFailed(name: "10-hangs", status: HookRunner.timedOutStatus, output: "")) {
            try await runner.run(environment: [:])
        }
    }

    @Test func aMissingDirectoryHasNoHooks() {
        let runner = HookRunner(directory: URL(fileURLWithPath: "/nonexistent/promote.d"))
        #expect(runner.hooks().isEmpty)
    }
}

@Suite struct HookRunnerDaemonTests {
    /// The hooks start the services as daemons: the hook must count as finished when its
    /// shell exits, whatever descriptors the daemon might have inherited.
    @Test func aDaemonStartedByAHookDoesNotHoldItOpen() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let pidFile = scratch.base.appendingPathComponent("daemon.pid").path
        try scratch.hook("promote.d", "10-start-daemon", "sleep 30 >/dev/null 2>&1 &\necho $! > \(pidFile)")

        let results = try await HookRunner(directory: scratch.hooks.appendingPathComponent("promote.d"))
            .run(environment: [:])
        let pid = try #require(Int32(scratch.read("daemon.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        // The hook counted as finished while its daemon still lives: not held open for the daemon's
        // life, whatever the machine's load (a wall-clock bound measured the test pool's delays).
        let daemonAlive = kill(pid, 0) == 0
        kill(pid, SIGKILL)

        #expect(results.map(\.status) == [0])
        #expect(daemonAlive)
    }
}
