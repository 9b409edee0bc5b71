import ArgumentParser
import Foundation

/// A command of a Tandem executable: it parses its options, builds a configuration and calls a
/// library in `run(_:)`; the frame does the rest (docs/design.md, "CLI conventions").
public protocol TandemCommand: AsyncParsableCommand {
    /// How the tool names itself on stderr: "dcmroute", "clusterctl fsck". A top-level command's
    /// own name unless it says otherwise.
    static var toolName: String { get }
    var logging: LoggingOptions { get }
    func run(_ tool: TandemTool) async throws
}

extension TandemCommand {
    public static var toolName: String { _commandName }

    public mutating func run() async throws {
        logging.bootstrap()
        let tool = TandemTool(name: Self.toolName, quiet: logging.quiet)
        let command = self
        try await tool.run { try await command.run(tool) }
    }
}

/// The frame every executable runs in (`TandemCommand.run()` bootstraps the logs first, as
/// `-v`/`-q`/`--log-format` say): every failure said once and turned into its exit code here
/// (the table is `TandemExit.known`).
public struct TandemTool: Sendable {
    public let name: String
    /// `-q`: only errors on stderr. A passive node is no error: with `-q` it exits 7 silently, so
    /// the same cron line on both nodes of a pair mails nothing.
    public let quiet: Bool

    public init(name: String, quiet: Bool) {
        self.name = name
        self.quiet = quiet
    }

    /// Runs `body`. ArgumentParser's own outcomes (usage errors, an `ExitCode`) go back to it; any
    /// other failure is said on stderr and becomes its exit code.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error is ExitCode || error is CleanExit || error is ValidationError {
            throw error
        } catch {
            let exit = TandemExit(for: error)
            if !(quiet && exit == .passiveNode) { say((error as? ToolError)?.message ?? "\(error)") }
            throw exit.exitCode
        }
    }

    /// Writes `message` on stderr, each line after the tool's name.
    public func say(_ message: String) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { "\(name): \($0)\n" }
        FileHandle.standardError.write(Data(lines.joined().utf8))
    }

    /// Runs `body` with SIGTERM and SIGINT delivered as a stream instead of ending the process: a
    /// daemon stops gracefully on the first. A signal that comes before `body` reads waits in it.
    public func withStopSignals<T>(_ body: (AsyncStream<Int32>) async throws -> T) async throws -> T {
        let (signals, delivery) = AsyncStream.makeStream(of: Int32.self)
        let watcher = SignalWatcher { delivery.yield($0) }
        defer {
            watcher.cancel()
            delivery.finish()
        }
        return try await body(signals)
    }
}
