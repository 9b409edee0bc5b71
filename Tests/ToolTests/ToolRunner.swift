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

    /// Runs `executable` to completion and captures both outputs.
    static func capture(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> ToolRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained while the child runs, stderr on a thread of its own: reading one
        // to its end first would block a child that fills the other pipe (64 KB) meanwhile.
        let errDrain = PipeDrain(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errDrain.wait()
        process.waitUntilExit()
        return ToolRun(status: process.terminationStatus,
                       stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a dedicated thread (not the cooperative pool's).
private final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private let finished = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            finished.signal()
        }.start()
    }

    /// The pipe's whole content, once the writer closed it; `data` is only read after the signal.
    func wait() -> Data {
        finished.wait()
        return data
    }
}
