import Foundation
import Testing

/// One of our servers (`dcmrecv`, `dcmweb`) started on a free 127.0.0.1 port, its output in a log
/// file; stopped by PID.
final class ServingTool {
    let process = Process()
    let port: Int
    private let log: URL

    /// - Parameters:
    ///   - arguments: the command line, given the port it is to listen on.
    ///   - epoch: `TANDEM_EPOCH`, as a promote hook sets it; nil for none.
    init(_ name: String, epoch: Int64?, arguments: (Int) -> [String]) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        port = try LoopbackPort.free()
        process.executableURL = ToolRunner.productsDirectory.appendingPathComponent(name)
        process.arguments = arguments(port)
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "TANDEM_EPOCH" }
            .merging(epoch.map { ["TANDEM_EPOCH": "\($0)"] } ?? [:]) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        for _ in 0..<400 where process.isRunning {
            if LoopbackPort.canConnect(port) { return }
            usleep(50_000)
        }
        throw ExternalTool.Failure("\(name) is not listening: \(logText)")
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status (a graceful stop is 0). A server still running a minute later
    /// fails the test and is killed, so that a shutdown that hangs cannot hold the whole run.
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for _ in 0..<1_200 where process.isRunning { usleep(50_000) }
        if process.isRunning {
            Issue.record("\(process.executableURL?.lastPathComponent ?? "server") did not stop within 60 s of SIGTERM: \(logText.suffix(2_000))")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL if it still runs; the log goes too.
    func remove() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
}
