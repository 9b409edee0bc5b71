import DICOMCore
import Foundation
import Testing

/// docs/design.md, "Cluster model": after another node's `clusterctl promote`, every `dcmroute` of
/// the old epoch — the one already running and one started afterwards — is refused its writes
/// and exits fenced, leaving the queue exactly as it was.
@Suite("dcmroute under an old epoch", .serialized)
struct RouteFencingTests {
    @Test("dcmroute processes of the old epoch are refused everything after another node's promote")
    func staleWorkersAreFenced() async throws {
        try await ClusterScratch.withRoutedPair { scratch, received, node1, node2 in
            let epoch = try await ClusterScratch.promote(node1)
            let receiver = try await BlockingWork.run { Unchecked(try scratch.startDcmrecv(epoch: epoch)) }.value
            defer { receiver.kill() }
            let router = try StaleRouter(root: scratch.root, epoch: epoch, log: scratch.base.appendingPathComponent("dcmroute-1.log"))
            defer { router.kill() }

            // Under its own epoch the worker delivers.
            let study = try scratch.synthetic(count: 3)
            let sent = try await BlockingWork.run { try scratch.storescu(study) }
            #expect(sent.acknowledged == 3, "\(sent.log)")
            #expect(try await eventually(seconds: 30) { Self.files(in: received) == 3 }, "\(router.log)")
            #expect(try await eventually(seconds: 10) { try await Self.queue(scratch.root).contains("|done|") })
            let queueBefore = try await Self.queue(scratch.root)

            #expect(try await ClusterScratch.promote(node2) == epoch + 1)

            // The running worker notices on its next tick; a worker started now is refused at once.
            #expect(try await router.exitStatus() == 75)
            #expect(router.log.contains("fenced"), "\(router.log)")
            let late = try StaleRouter(root: scratch.root, epoch: epoch, log: scratch.base.appendingPathComponent("dcmroute-2.log"))
            defer { late.kill() }
            #expect(try await late.exitStatus() == 75)
            #expect(late.log.contains("fenced: this process runs under epoch \(epoch), the cluster is at epoch \(epoch + 1)"),
                    "\(late.log)")
            let once = try await BlockingWork.run {
                try ToolRunner.run("dcmroute", ["once", "--root", scratch.root.path], environment: ["TANDEM_EPOCH": "\(epoch)"])
            }
            #expect(once.status == 75)
            let enqueue = try await BlockingWork.run {
                try ToolRunner.run("dcmroute", ["enqueue", "--study", "1.2.3", "--to", "DEST", "--root", scratch.root.path],
                                   environment: ["TANDEM_EPOCH": "\(epoch)"])
            }
            #expect(enqueue.status == 75)
            #expect(try await Self.queue(scratch.root) == queueBefore)
            #expect(Self.files(in: received) == 3)
        }
    }

    static func files(in directory: URL) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path).count) ?? 0
    }

    /// Every job and delivery record, one line each: what a fenced worker must leave alone.
    static func queue(_ root: URL) async throws -> String {
        try await ExternalTool.runOffPool("sqlite3", [
            root.appendingPathComponent("index.sqlite").path,
            "SELECT id || '|' || state || '|' || attempts || '|' || updated_at FROM route_job; "
                + "SELECT job_id || '|' || sop_instance_uid || '|' || state || '|' || updated_at FROM route_item;",
        ]).stdout
    }
}

/// `dcmroute run` under a given epoch, as a node's promote hook would have started it.
final class StaleRouter: @unchecked Sendable {
    let process = Process()
    let logFile: URL

    init(root: URL, epoch: Int64, log: URL) throws {
        logFile = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent("dcmroute")
        process.arguments = ["run", "--root", root.path, "--poll", "0.2"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TANDEM_EPOCH": "\(epoch)"]) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The exit status, waited for at most 30 s.
    func exitStatus() async throws -> Int32 {
        guard try await eventually(seconds: 30, { !self.process.isRunning }) else {
            throw ExternalTool.Failure("dcmroute still runs: \(log)")
        }
        return process.terminationStatus
    }

    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
