import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// `clusterctl` and `dcmrecv` together, as a cluster manager runs them: the C-ECHO that
/// verifies dcmrecv on promote and monitor, and the epoch that fences a stale dcmrecv.
/// DCMTK's storescu is the imaging centre.
@Suite("clusterctl with dcmrecv", .serialized)
struct ClusterToolTests {
    /// promote runs the example hooks (scripts/hooks), which start dcmrecv under the new epoch;
    /// a dcmrecv that still holds its port but cannot answer (SIGSTOP) fails monitor, although
    /// a TCP connect to it still succeeds.
    @Test("promote starts dcmrecv through the example hooks and verifies it with C-ECHO; monitor fails a stopped dcmrecv")
    func promoteAndMonitorUseCEcho() async throws {
        let lab = try ClusterScratch()
        defer { lab.remove() }
        let hooks = try lab.exampleHooks()
        let node1 = lab.node("node1", hooks: hooks, services: "dcmrecv")
        defer {  // the hooks started dcmrecv in its own session: stop it whatever happened
            if let pid = node1.pid(of: "dcmrecv") { kill(pid, SIGCONT) }
            _ = try? node1.clusterctl("demote")
        }

        let promoted = try await BlockingWork.run { try node1.clusterctl("promote") }
        try #require(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stdout.contains("promoted epoch 2"))
        #expect(try await BlockingWork.run { try node1.clusterctl("monitor") }.status == 0)
        let pid = try #require(node1.pid(of: "dcmrecv"))
        #expect(try await ExternalTool.runOffPool("echoscu", ["-aec", "TANDEM", "127.0.0.1", "\(lab.port)"]).status == 0)

        kill(pid, SIGSTOP)
        #expect(LoopbackPort.canConnect(lab.port))  // what the old connect check saw
        let stuck = try await BlockingWork.run { try node1.clusterctl("monitor") }
        let status = try await BlockingWork.run { try node1.clusterctl("status") }
        kill(pid, SIGCONT)
        #expect(stuck.status == 1)
        #expect(stuck.stdout.contains("not answering: dcmrecv (no C-ECHO"), "\(stuck.stdout)")
        #expect(status.stdout.contains("service dcmrecv: not-answering"), "\(status.stdout)")

        #expect(try await BlockingWork.run { try node1.clusterctl("monitor") }.status == 0)
        #expect(try await BlockingWork.run { try node1.clusterctl("demote") }.status == 0)
        #expect(try await BlockingWork.run { try node1.clusterctl("monitor") }.status == 7)
        #expect(node1.pid(of: "dcmrecv") == nil)
    }

    /// docs/design.md, "Cluster model": a process started under epoch E checks E in every write
    /// transaction. After another node's promotion (E+1) the old dcmrecv acknowledges nothing,
    /// indexes nothing, and exits non-zero saying it was fenced.
    @Test("a dcmrecv of the old epoch refuses every C-STORE after another node's promote, and exits fenced")
    func staleDcmrecvIsFenced() async throws {
        let lab = try ClusterScratch()
        defer { lab.remove() }
        // dcmrecv is this test's own child, to see its exit status.
        let (node1, node2) = try lab.standInNodes()
        defer {
            _ = try? node1.clusterctl("demote")
            _ = try? node2.clusterctl("demote")
        }

        let epoch = try await ClusterScratch.promote(node1)
        let receiver = try await BlockingWork.run { Unchecked(try lab.startDcmrecv(epoch: epoch)) }.value
        defer { receiver.kill() }

        let before = try lab.synthetic(count: 3)
        let accepted = try await BlockingWork.run { try lab.storescu(before) }
        #expect(accepted.acknowledged == 3, "\(accepted.log)")
        #expect(try await BlockingWork.run { try lab.indexedInstances() } == Set(before.uids))

        #expect(try await ClusterScratch.promote(node2) == epoch + 1)

        let after = try lab.synthetic(count: 3)
        let refused = try await BlockingWork.run { try lab.storescu(after) }
        #expect(refused.acknowledged == 0, "\(refused.log)")
        #expect(refused.status != 0)
        let exitStatus = try await BlockingWork.run { [box = Unchecked(receiver)] in try box.value.waitForExit() }
        // Retried, as a modality does: there is nobody left to acknowledge it.
        #expect(try await BlockingWork.run { try lab.storescu(after) }.acknowledged == 0)

        #expect(try await BlockingWork.run { try lab.indexedInstances() } == Set(before.uids))
        #expect(exitStatus == 75)
        #expect(receiver.log.contains("fenced: refusing to store"), "\(receiver.log)")
        #expect(receiver.log.contains("epoch \(epoch)") && receiver.log.contains("epoch \(epoch + 1)"))
    }
}

/// A data root with `tandem.toml` (dcmrecv on a free loopback port) and node-local run
/// directories, all under one temporary directory.
struct ClusterScratch {
    let base: URL
    let port: Int
    var root: URL { base.appendingPathComponent("root") }

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cluster-tool-\(UUID().uuidString)")
        port = try LoopbackPort.free()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "[node]\nae_title = \"TANDEM\"\ndicom_port = \(port)\nbind = \"127.0.0.1\"\n"
            .write(to: root.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: base) }

    struct Node {
        let name: String
        let scratch: ClusterScratch
        let hooks: URL
        /// nil: clusterctl's default services.
        let services: String?
        /// The node-local run directory: each simulated node has its own, whatever its name.
        let run: URL

        func clusterctl(_ command: String, root: URL? = nil) throws -> ToolRun {
            try ToolRunner.run("clusterctl", [command, "--root", (root ?? scratch.root).path, "--node", name,
                                              "--hooks", hooks.path, "--run-dir", run.path]
                                   + (services.map { ["--services", $0] } ?? []),
                               environment: ["TANDEM_BIN_DIR": ToolRunner.productsDirectory.path])
        }

        /// The live process a pid file in this node's run directory names, if any.
        func pid(of service: String) -> Int32? {
            guard let text = try? String(contentsOf: run.appendingPathComponent("\(service).pid"), encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0
            else { return nil }
            return pid
        }
    }

    /// A node with its run directory `run-LABEL` (default: its name).
    func node(_ name: String, hooks: URL, services: String?, runLabel: String? = nil) -> Node {
        Node(name: name, scratch: self, hooks: hooks, services: services,
             run: base.appendingPathComponent("run-\(runLabel ?? name)"))
    }

    /// A copy of the project's example hooks, logging into the scratch directory.
    func exampleHooks() throws -> URL {
        let hooks = base.appendingPathComponent("hooks-example")
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        for phase in ["promote.d", "demote.d"] {
            try ExecutableScript.copyDirectory(
                ToolRunner.repositoryDirectory.appendingPathComponent("scripts/hooks/\(phase)"),
                to: hooks.appendingPathComponent(phase))
        }
        try "TANDEM_LOG_DIR=\(base.appendingPathComponent("logs").path)\nTANDEM_STOP_TIMEOUT=10\n"
            .write(to: hooks.appendingPathComponent("hooks.env"), atomically: true, encoding: .utf8)
        return hooks
    }

    /// Two nodes whose promote and demote only start and stop a stand-in `sleep`, so that each
    /// promote completes while the test runs the real services itself, as their own children.
    func standInNodes() throws -> (Node, Node) {
        let hooks = try standInHooks()
        return (node("node1", hooks: hooks, services: "sleep"), node("node2", hooks: hooks, services: "sleep"))
    }

    /// `clusterctl promote` on `node`, off the cooperative pool; the epoch it promoted to.
    static func promote(_ node: Node) async throws -> Int64 {
        let run = try await BlockingWork.run { try node.clusterctl("promote") }
        guard run.status == 0, let epoch = epoch(in: run.stdout) else {
            throw ExternalTool.Failure("promote \(node.name) failed (\(run.status)): \(run.stderr)")
        }
        return epoch
    }

    /// Hooks that start and stop a `sleep` with a pid file, standing in for a node's services.
    func standInHooks() throws -> URL {
        let hooks = base.appendingPathComponent("hooks-stand-in")
        let scripts = [
            "promote.d/50-start": """
                pid=$(cat "$TANDEM_RUN_DIR/sleep.pid" 2>/dev/null)
                [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && exit 0
                sleep 600 </dev/null >/dev/null 2>&1 &
                echo $! > "$TANDEM_RUN_DIR/sleep.pid"
                """,
            "demote.d/10-stop": """
                pid=$(cat "$TANDEM_RUN_DIR/sleep.pid" 2>/dev/null)
                [ -n "$pid" ] && kill "$pid" 2>/dev/null
                rm -f "$TANDEM_RUN_DIR/sleep.pid"
                exit 0
                """,
        ]
        for (path, body) in scripts {
            let file = hooks.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ExecutableScript.write("#!/bin/sh\n\(body)\n", to: file)
        }
        return hooks
    }

    // MARK: - dcmrecv as this test's child

    final class Receiver {
        let process = Process()
        let logFile: URL

        init(process configure: (Process) -> Void, log: URL) throws {
            logFile = log
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            configure(process)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.runWithSignalsUnblocked()
        }

        var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        /// Its exit status; fails the test if it still runs after a minute.
        func waitForExit() throws -> Int32 {
            for _ in 0..<1200 where process.isRunning { usleep(50_000) }
            guard !process.isRunning else { throw ExternalTool.Failure("dcmrecv still runs: \(log)") }
            return process.terminationStatus
        }

        func kill() {
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// dcmrecv on the data root with `TANDEM_EPOCH`, as the promote hook starts it.
    func startDcmrecv(epoch: Int64) throws -> Receiver {
        let receiver = try Receiver(process: { process in
            process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("dcmrecv")
            process.arguments = ["--root", root.path]
            process.environment = ProcessInfo.processInfo.environment.merging(["TANDEM_EPOCH": "\(epoch)"]) { $1 }
        }, log: base.appendingPathComponent("dcmrecv.log"))
        for _ in 0..<400 where receiver.process.isRunning {
            if LoopbackPort.canConnect(port) { return receiver }
            usleep(50_000)
        }
        receiver.kill()
        throw ExternalTool.Failure("dcmrecv did not start: \(receiver.log)")
    }

    // MARK: - The imaging centre

    struct Study {
        let directory: URL
        let files: [URL]
        let uids: [String]
    }

    func synthetic(count: Int) throws -> Study {
        let directory = base.appendingPathComponent("study-\(UUID().uuidString)")
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: count, instanceSize: 8 * 1024))
            .write(to: directory)
        let uids = try files.map { try DICOMFile(path: $0.path, options: .headerOnly).dataSet.string(.sopInstanceUID) ?? "" }
        return Study(directory: directory, files: files, uids: uids)
    }

    struct Sent {
        let status: Int32
        let acknowledged: Int
        let log: String
    }

    /// DCMTK's storescu, one association for the study; counts the success responses it logged.
    func storescu(_ study: Study) throws -> Sent {
        let run = try ExternalTool.run("storescu", ["-v", "-aec", "TANDEM", "-to", "5", "-ta", "10", "-td", "30",
                                                     "127.0.0.1", "\(port)"] + study.files.map(\.path))
        let log = run.stdout + run.stderr
        let acknowledged = log.components(separatedBy: "\n").filter { $0.contains("Received Store Response (Success") }
        return Sent(status: run.status, acknowledged: acknowledged.count, log: log)
    }

    /// SOP Instance UIDs in the index, read with Python's sqlite3 module (no sqlite3 shell needed).
    func indexedInstances() throws -> Set<String> {
        let script = "import sqlite3, sys\nfor (uid,) in sqlite3.connect(sys.argv[1]).execute('SELECT sop_instance_uid FROM instance'):\n    print(uid)"
        let run = try ExternalTool.run("env", ["python3", "-c", script, root.appendingPathComponent("index.sqlite").path])
        guard run.status == 0 else { throw ExternalTool.Failure("reading the index: \(run.stderr)") }
        return Set(run.stdout.split(separator: "\n").map(String.init))
    }

    // MARK: - Helpers

    /// "promoted epoch 3" → 3.
    static func epoch(in output: String) -> Int64? {
        output.split(separator: "\n").compactMap { line -> Int64? in
            guard line.hasPrefix("promote") else { return nil }
            return line.split(separator: " ").last.flatMap { Int64($0) }
        }.first
    }
}
