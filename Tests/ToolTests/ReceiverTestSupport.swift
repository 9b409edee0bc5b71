import DICOMCore
import Foundation

extension RunningReceiver {
    /// A receiver whose data root holds `toml` as tandem.toml, logging JSON lines.
    static func configured(_ toml: String) throws -> RunningReceiver {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-recv-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try toml.write(to: root.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
        return try RunningReceiver(root: root, extraArguments: ["--log-format", "json"])
    }

    /// The JSON log events (started with `--log-format json`) whose message is `message`.
    func logEvents(_ message: String) -> [[String: String]] {
        logText.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                  object["message"] == message else { return nil }
            return object
        }
    }

    /// Polls the log for at most 10 s: a summary is written just after the peer saw the end.
    func waitForLogEvents(_ message: String, count: Int) async throws -> [[String: String]] {
        for _ in 0..<200 where logEvents(message).count < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        return logEvents(message)
    }
}

extension ExternalTool {
    /// Runs a program on a `BlockingWork` thread and awaits it. A blocking wait on one of Swift's
    /// executor threads (two on a two-core machine) would starve the async tests running
    /// alongside, whose timers would then seem to fire late.
    static func runOffPool(_ name: String, _ arguments: [String]) async throws -> ToolRun {
        try await BlockingWork.run { try ExternalTool.run(name, arguments) }
    }
}
