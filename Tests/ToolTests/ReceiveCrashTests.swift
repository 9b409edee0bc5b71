import Foundation
import Testing

/// The kill -9 crash test with reduced counts: two kills while a pynetdicom sender stores
/// 25 instances each time; every acknowledged instance must survive, indexed and readable.
@Suite("dcmrecv killed with SIGKILL", .serialized)
struct ReceiveCrashTests {
    /// The script runs the `python3` found on PATH, so that is the one to ask.
    static var pynetdicomAvailable: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import pynetdicom, pydicom"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test("acknowledged instances survive kill -9 and restart", .enabled(if: pynetdicomAvailable, "needs pynetdicom"))
    func killNine() throws {
        let script = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/crash-test/receiver-kill9.sh")
        let process = Process()
        process.executableURL = script
        process.arguments = ["2", "25"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["TANDEM_BIN": ToolRunner.productsDirectory.path]) { $1 }.filter { $0.key != "TANDEM_EPOCH" }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("total: 2 kills"), "\(text)")
    }
}
