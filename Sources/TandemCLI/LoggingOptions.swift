import ArgumentParser
import Logging

/// `-v`/`-q`/`--log-format`: logs go to stderr, results to stdout (docs/design.md, "CLI conventions").
public struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "More log output on stderr (repeat for trace).")
    public var verbose: Int

    @Flag(name: .shortAndLong, help: "Only errors on stderr.")
    public var quiet = false

    @Option(name: .customLong("log-format"), help: "Log line format: text or json (for log shippers).")
    public var logFormat: LogFormat = .text

    public init() {}

    public var level: Logger.Level {
        if quiet { return .error }
        switch verbose {
        case 0: return .info
        case 1: return .debug
        default: return .trace
        }
    }

    /// Installs the process-wide log handler. Call once, first thing in `run()`.
    public func bootstrap() {
        let level = self.level
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}

public enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}
