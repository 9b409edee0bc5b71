import Foundation
import Testing

/// The kill -9 crash test with reduced counts: two kills while a pynetdicom sender stores
/// 25 instances each time; every acknowledged instance must survive, indexed and readable.
@Suite("dcmrecv killed with SIGKILL", .serialized)
struct ReceiveCrashTests {
    /// The script runs the `python3` found on PATH, so that is the one to ask.
    static var pynetdicomAvailable: Bool {
        let probe = try? ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import pynetdicom, pydicom"])
        return probe?.status == 0
    }

    @Test("acknowledged instances survive kill -9 and restart", .enabled(if: pynetdicomAvailable, "needs pynetdicom"))
    func killNine() throws {
        let (status, text) = try Self.runCrashTest("receiver-kill9.sh", ["2", "25"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("total: 2 kills"), "\(text)")
    }

    /// The durability rule on the system calls: strace shows, before each success response, the
    /// fsyncs of the file, of `incoming/` between creation and link, of the object's directory
    /// and of the index after the link.
    @Test("every C-STORE success follows the fsyncs of its file, its directories and the index",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), "needs strace"))
    func flushesPrecedeEachAcknowledgement() throws {
        let (status, text) = try Self.runCrashTest("strace-ack-order.sh", ["40"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("responses 40 checked 40 violations 0"), "\(text)")
    }

    /// The same with dcmsend's asynchronous operations window: instances are made durable
    /// concurrently and answered out of order, each still only after its own flushes.
    @Test("with dcmsend's asynchronous window, every C-STORE success still follows its own fsyncs",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), "needs strace"))
    func flushesPrecedeEachAcknowledgementWithinTheWindow() throws {
        let (status, text) = try Self.runCrashTest("strace-ack-order.sh", ["40"], environment: ["SENDER": "dcmsend"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("responses 40 checked 40 violations 0"), "\(text)")
    }

    /// Runs a script of scripts/crash-test against the built tools (no TANDEM_EPOCH): its exit
    /// status and its stdout followed by its stderr.
    static func runCrashTest(_ script: String, _ arguments: [String],
                             environment: [String: String] = [:]) throws -> (status: Int32, text: String) {
        let run = try ToolRunner.capture(
            ToolRunner.repositoryDirectory.appendingPathComponent("scripts/crash-test/" + script), arguments,
            environment: ProcessInfo.processInfo.environment.merging(
                ["TANDEM_BIN": ToolRunner.productsDirectory.path]) { $1 }.merging(environment) { $1 }
                .filter { $0.key != "TANDEM_EPOCH" })
        return (run.status, run.stdout + run.stderr)
    }
}
