import Foundation
import Testing
@testable import TandemCluster

/// promote/demote/monitor against real hook scripts and a real "service" process
/// (`sleep`, started by the promote hook with a pid file, as the example hooks do).
@Suite struct ClusterNodeTests {
    let scratch: Scratch
    let authority = InMemoryAuthority()

    init() throws {
        scratch = try Scratch()
        // The archive the in-memory authority stands for: the transition log goes only where one exists.
        FileManager.default.createFile(atPath: scratch.root.appendingPathComponent("index.sqlite").path, contents: nil)
        let calls = scratch.base.appendingPathComponent("calls").path
        try scratch.hook("promote.d", "50-start", """
            echo "promote $TANDEM_NODE $TANDEM_EPOCH $TANDEM_ROLE $TANDEM_SERVICES" >> \(calls)
            pid=$(cat "$TANDEM_RUN_DIR/sleep.pid" 2>/dev/null)
            if [ -z "$(tr -d '\\0' < "/proc/${pid:-0}/cmdline" 2>/dev/null)" ]; then
                sleep 60 >/dev/null 2>&1 &
                echo $! > "$TANDEM_RUN_DIR/sleep.pid"
            fi
            """)
        try scratch.hook("demote.d", "10-stop", """
            echo "demote $TANDEM_NODE $TANDEM_EPOCH $TANDEM_ROLE" >> \(calls)
            [ -s "$TANDEM_RUN_DIR/sleep.pid" ] && kill "$(cat "$TANDEM_RUN_DIR/sleep.pid")"
            rm -f "$TANDEM_RUN_DIR/sleep.pid"
            """)
    }

    func node(_ name: String = "node1", services: [ServiceSpec] = [ServiceSpec(name: "sleep")]) -> ClusterNode {
        ClusterNode(settings: .init(root: scratch.root, node: name, hooksDirectory: scratch.hooks,
                                    runDirectory: scratch.run, services: services, verifyTimeout: 3),
                    authority: authority, housekeeping: nil)
    }

    /// Runs a scenario, then demotes (stopping the `sleep` its hooks started) and removes the scratch.
    func scenario(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    func cleanUp() async {
        _ = try? await node().demote()
        scratch.remove()
    }

    @Test func promoteBumpsTheEpochRunsHooksAndIsIdempotent() async throws {
        try await scenario {
            let first = try await node().promote()
            #expect(first.changed && first.epoch == 1)
            #expect(try authority.current() == EpochState(epoch: 1, holder: "node1"))
            #expect(await node().monitor() == .running)

            let again = try await node().promote()
            #expect(!again.changed && again.epoch == 1 && again.hooks.isEmpty)
            #expect(scratch.read("calls") == "promote node1 1 active sleep\n")

            let log = TransitionLog(root: scratch.root).recent(limit: 10)
            #expect(log.map(\.action) == [.promote] && log.first?.outcome == .ok)
        }
    }

    @Test func demoteStopsServicesAndIsIdempotent() async throws {
        try await scenario {
            #expect(await node().monitor() == .stopped)
            _ = try await node().promote()
            let report = try await node().demote()
            #expect(report.changed)
            #expect(await node().monitor() == .stopped)
            #expect(await node().monitor().ocfExitCode == 7)

            let again = try await node().demote()
            #expect(!again.changed)
            #expect(scratch.read("calls") == "promote node1 1 active sleep\ndemote node1 1 passive\n")
        }
    }

    @Test func aFailingPromoteHookFailsTheTransitionAndIsLogged() async throws {
        try await scenario {
            try scratch.hook("promote.d", "10-refuse", "echo 'no cluster IP' >&2; exit 2")
            await #expect(throws: ClusterError.hookFailed(name: "10-refuse", status: 2, output: "no cluster IP")) {
                try await node().promote()
            }
            let last = TransitionLog(root: scratch.root).recent(limit: 1).first
            #expect(last?.outcome == .failed && last?.detail.contains("10-refuse") == true)
            // The claim stands and nothing runs: the cluster manager sees a failure and stops us.
            #expect(await node().monitor().ocfExitCode == 1)
        }
    }

    @Test func aKilledServiceIsAFailureAndPromoteRestartsIt() async throws {
        try await scenario {
            _ = try await node().promote()
            let pid = try #require(Int32(scratch.read("run/sleep.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGKILL)
            try await waitUntil { !ServiceChecker(runDirectory: scratch.run).isRunning("sleep") }
            #expect(await node().monitor() == .failed("not answering: sleep"))

            let recovery = try await node().promote()
            #expect(recovery.changed && recovery.epoch == 1)
            #expect(await node().monitor() == .running)
        }
    }

    @Test func aNewerEpochElsewhereFencesThisNode() async throws {
        try await scenario {
            _ = try await node().promote()
            authority.promoteElsewhere("node2")
            #expect(await node().monitor() == .failed("fenced: epoch 2 is held by node2"))

            let status = await node().status()
            #expect(status.role == .active && status.epoch == 1)
            #expect(status.cluster == EpochState(epoch: 2, holder: "node2"))
        }
    }

    @Test func servicesThatNeverAnswerFailThePromotion() async throws {
        try await scenario {
            let closedPort = ServiceSpec(name: "sleep", port: 1)
            await #expect(throws: ClusterError.servicesNotAnswering(["sleep (no TCP connect to 127.0.0.1:1)"])) {
                try await node(services: [closedPort]).promote()
            }
        }
    }

    @Test func statusReportsRoleServicesAndTransitions() async throws {
        try await scenario {
            _ = try await node().promote()
            _ = try await node().demote()
            let status = await node().status()
            #expect(status.role == .passive && status.epoch == 1)
            #expect(status.services == [.init(name: "sleep", state: .stopped)])
            #expect(status.transitions.map(\.action) == [.promote, .demote])
            let json = try status.json()
            #expect(json.contains("\"holder\" : \"node1\""))
            #expect(status.text().contains("cluster: epoch 1 held by node1"))
        }
    }
}

func waitUntil(timeout: TimeInterval = 5, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw CancellationError() }
        try await Task.sleep(for: .milliseconds(50))
    }
}
