import DICOMCore
import DICOMSynthetic
import Foundation
import TandemSend

/// A data root with `dcmrecv`, a DCMTK `storescp` destination named DEST, and `dcmroute` runs,
/// for the routing tests. Every process is stopped by its PID in `remove()`. Whatever blocks
/// (starting and waiting for processes) runs on `BlockingWork`, off Swift's executor threads.
/// Used by one serialized test at a time.
final class RoutingLab: @unchecked Sendable {
    let directory: URL
    let root: URL
    let destinationPort: Int
    private(set) var receiver: RunningReceiver?
    private(set) var destination: Process?
    private(set) var router: Process?
    private var destinationRuns = 0

    /// - Parameters:
    ///   - routes: `[[route]]` tables, TOML, naming DEST; `retry`: the `[retry]` table's body;
    ///     `destinationKeys`: more keys of DEST's `[[peer]]` table; `destinationPort`: DEST's port
    ///     when the test runs its own destination there, else a free one for `startDestination`.
    init(routes: String, retry: String = "max_attempts = 50\ninitial_delay = 1\nmultiplier = 2.0\nmax_delay = 2",
         destinationKeys: String = "", destinationPort: Int? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-route-\(UUID().uuidString)")
        root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.destinationPort = try destinationPort ?? LoopbackPort.free()
        let configuration = """
            [node]
            ae_title = "TANDEM"

            [[peer]]
            ae_title = "DEST"
            host = "127.0.0.1"
            port = \(self.destinationPort)
            \(destinationKeys)

            \(routes)

            [retry]
            \(retry)
            """
        try configuration.write(to: root.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
    }

    /// - Parameter epoch: `TANDEM_EPOCH` for the receiver (a promoted node's hooks set it).
    func startReceiver(epoch: Int64? = nil) async throws {
        receiver = try await BlockingWork.run { [root] in Unchecked(try RunningReceiver(root: root, epoch: epoch)) }.value
    }

    /// SIGTERM to dcmrecv, waiting for it to exit.
    func stopReceiver() async {
        guard let receiver else { return }
        let box = Unchecked(receiver)
        _ = await BlockingWork.run { box.value.stop() }
    }

    /// DCMTK storescp on the destination port; `-v` so that the log names every file it stores.
    func startDestination(_ options: [String] = []) async throws {
        destinationRuns += 1
        let log = directory.appendingPathComponent("storescp-\(destinationRuns).log")
        let received = directory.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/storescp")
        process.arguments = ["-v", "-od", received.path] + options + ["\(destinationPort)"]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        destination = process
        guard try await eventually(seconds: 20, { LoopbackPort.canConnect(self.destinationPort) }) else {
            throw ExternalTool.Failure("storescp did not start")
        }
    }

    func stopDestination() async {
        let process = destination
        destination = nil
        await BlockingWork.run { self.stop(process, signal: SIGKILL) }
    }

    /// Starts `dcmroute run` in the background; its output goes to `router.log`.
    func startRouter(_ arguments: [String] = [], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("dcmroute")
        process.arguments = ["run", "--root", root.path, "--poll", "0.2"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "TANDEM_EPOCH" }.merging(environment) { $1 }
        let log = directory.appendingPathComponent("router.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        router = process
    }

    /// Sends the signal and returns the exit status.
    @discardableResult
    func stopRouter(signal: Int32 = SIGTERM) async -> Int32 {
        guard let router else { return -1 }
        self.router = nil
        return await BlockingWork.run {
            self.stop(router, signal: signal)
            return router.terminationStatus
        }
    }

    var routerLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("router.log"), encoding: .utf8)) ?? ""
    }

    /// A synthetic CT study of `count` instances; returns the files and their SOP Instance UIDs.
    func study(count: Int, instanceSize: Int = 16 * 1024) throws -> [(file: URL, uid: String)] {
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: count, instanceSize: instanceSize))
            .write(to: directory.appendingPathComponent("study-\(UUID().uuidString)"))
        return try files.map { file in
            guard case .sendable(let summary) = FileInventory.inspect(path: file.path) else {
                throw ExternalTool.Failure("synthetic file unreadable: \(file.path)")
            }
            return (file, summary.sopInstanceUID)
        }
    }

    /// Sends files to dcmrecv with DCMTK storescu, as an imaging centre would.
    func send(_ files: [URL]) async throws {
        guard let receiver else { throw ExternalTool.Failure("no receiver") }
        let run = try await ExternalTool.runOffPool("storescu", ["-aet", "SITE1", "-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"] + files.map(\.path))
        guard run.status == 0 else { throw ExternalTool.Failure("storescu failed: \(run.stderr)") }
    }

    /// How many times the destination stored each SOP Instance UID, from every storescp log.
    func receptions() -> [String: Int] {
        var counts: [String: Int] = [:]
        for run in 1...max(destinationRuns, 1) {
            let log = directory.appendingPathComponent("storescp-\(run).log")
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.contains("storing DICOM file:") {
                guard let name = line.split(separator: "/").last, let dot = name.firstIndex(of: ".") else { continue }
                counts[String(name[name.index(after: dot)...]), default: 0] += 1
            }
        }
        return counts
    }

    /// `dcmroute` with these arguments and `--root`, run to completion.
    func dcmroute(_ arguments: [String]) async throws -> ToolRun {
        try await BlockingWork.run { [root] in try ToolRunner.run("dcmroute", arguments + ["--root", root.path]) }
    }

    /// The jobs as `dcmroute list --json` prints them.
    func jobs() async throws -> [[String: Any]] {
        try await dcmroute(["list", "--json"]).stdout.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The newest job's field `key`.
    func job(_ key: String) async throws -> Any? {
        try await jobs().first?[key]
    }

    /// One value from the index, with the sqlite3 shell.
    func sql(_ query: String) async throws -> String {
        try await ExternalTool.runOffPool("sqlite3", [root.appendingPathComponent("index.sqlite").path, query]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops every process (SIGKILL) and removes the files; called by each test's `defer`.
    func remove() {
        stop(router, signal: SIGKILL)
        stop(destination, signal: SIGKILL)
        receiver?.remove()
        try? FileManager.default.removeItem(at: directory)
    }

    private func stop(_ process: Process?, signal: Int32) {
        guard let process else { return }
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }
}

/// Polls `condition` every 100 ms for at most `seconds`; true once it holds.
func eventually(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// Carries a value the compiler cannot prove Sendable across `BlockingWork.run`: the tests hand it over
/// and do not touch it meanwhile.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A pynetdicom storage SCP answering chosen failure statuses, for the routing fault tests.
enum ScriptedDestination {
    /// Answers `refuse` (e.g. A900) for the instance `refusedUID` every time, `busy` (A700) for
    /// `busyUID` the first time only, and success otherwise; logs each stored UID as storescp does.
    static func start(in lab: RoutingLab, refusedUID: String, busyUID: String) async throws -> Process {
        let log = lab.directory.appendingPathComponent("storescp-1.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let script = """
            import sys
            from pynetdicom import AE, evt, AllStoragePresentationContexts
            refused, busy, port, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
            seen = set()
            def on_store(event):
                uid = event.request.AffectedSOPInstanceUID
                if uid == refused:
                    return 0xA900
                if uid == busy and uid not in seen:
                    seen.add(uid)
                    return 0xA700
                with open(log, "a") as f:
                    f.write(f"I: storing DICOM file: received/CT.{uid}\\n")
                return 0x0000
            ae = AE(ae_title="DEST")
            ae.supported_contexts = AllStoragePresentationContexts
            ae.start_server(("127.0.0.1", port), block=True, evt_handlers=[(evt.EVT_C_STORE, on_store)])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, refusedUID, busyUID, "\(lab.destinationPort)", log.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runWithSignalsUnblocked()
        guard try await eventually(seconds: 20, { LoopbackPort.canConnect(lab.destinationPort) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw ExternalTool.Failure("the pynetdicom destination did not start")
        }
        return process
    }
}
