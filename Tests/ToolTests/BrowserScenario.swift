import Foundation

/// Runs a scenario of scripts/browser (Playwright driving headless /usr/bin/chromium) against a
/// running dcmweb, off the cooperative pool, bounded by `timeout`.
enum BrowserScenario {
    struct Outcome {
        let status: Int32
        let output: String
        var passed: Bool { status == 0 }
    }

    /// Whether this machine can run browser tests (Debian's chromium, Playwright from PyPI; both
    /// installed by scripts/install-deps.sh).
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
    }

    static func run(_ scenario: String, against web: RunningWeb, parameters: [String: String] = [:],
                    timeoutSeconds: Int = 300) async throws -> Outcome {
        let harness = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/browser/harness.py")
        let users = RunningWeb.users.keys.map { "user.\($0)=\(RunningWeb.password($0))" }
        let arguments = ["\(timeoutSeconds)", "python3", harness.path, scenario, web.url]
            + users + parameters.map { "\($0.key)=\($0.value)" }
        let run = try await ExternalTool.runOffPool("timeout", arguments)
        return Outcome(status: run.status, output: run.stdout + run.stderr)
    }
}
