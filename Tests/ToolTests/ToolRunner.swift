import Foundation

/// Runs a built executable of this package (they sit beside the test bundle) and captures its output.
struct ToolRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum ToolRunner {
    static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("dcmsend").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// The package's root, found from this source file's location.
    static var repositoryDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ToolRun {
        try capture(productsDirectory.appendingPathComponent(tool), arguments,
                    environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }

    /// Runs `executable` to completion (stopped after `timeLimit` seconds) and captures both outputs.
    static func capture(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                        input: Data? = nil, timeLimit: TimeInterval = 900) throws -> ToolRun {
        try ChildProcess.run(executable.path, arguments, environment: environment, input: input, timeLimit: timeLimit)
    }
}
