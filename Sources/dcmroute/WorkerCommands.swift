import ArgumentParser
import Logging
import TandemArchive
import TandemCLI
import TandemRouting

/// Options of the commands that deliver.
struct WorkerOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .customLong("jobs")], help: "Jobs delivered at once, each on its own association.")
    var jobs = 1

    @Option(name: .long, help: "Seconds a claim holds without renewal; a worker that died is replaced after this.")
    var lease = 30

    @Option(name: .long, help: "Seconds between looks for new instances and due jobs when idle.")
    var poll = 1.0

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for a destination's TCP connection.")
    var connectTimeout = 10

    @Option(name: .customLong("dimse-timeout"), help: "Seconds to wait for each C-STORE response before giving up the attempt.")
    var dimseTimeout = 120

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("-j/--jobs must be 1...64") }
        guard lease >= 2 else { throw ValidationError("--lease must be at least 2 seconds") }
        guard poll > 0 else { throw ValidationError("--poll must be positive") }
        guard connectTimeout > 0, dimseTimeout > 0 else { throw ValidationError("timeouts must be positive") }
    }

    /// Runs `body` with a worker that SIGTERM/SIGINT stop gracefully, also when the signal comes
    /// while the archive is still being opened.
    func work<T>(_ tool: TandemTool, _ body: (RoutingWorker) async throws -> T) async throws -> T {
        try await tool.withStopSignals { signals in
            let archive = try tool.openArchive(root.dataRoot)
            // A passive node's worker (cron, or started by hand without TANDEM_EPOCH) claims nothing.
            try archive.index.requireWriteRight()
            var settings = RoutingSettings(configuration: archive.configuration)
            settings.concurrency = jobs
            settings.lease = .seconds(lease)
            settings.pollInterval = .milliseconds(Int(poll * 1000))
            settings.connectTimeout = .seconds(connectTimeout)
            settings.dimseTimeout = .seconds(dimseTimeout)
            let worker = RoutingWorker(index: archive.index, settings: settings)
            let stopping = Task {
                for await _ in signals { worker.stop() }
            }
            defer { stopping.cancel() }
            return try await body(worker)
        }
    }
}

extension DcmRoute {
    struct Run: TandemCommand {
        static let toolName = "dcmroute"
        static let configuration = CommandConfiguration(
            abstract: "Run as a daemon: route new instances, wait for stable studies, deliver due jobs.",
            discussion: "Stops on SIGTERM/SIGINT: each delivery finishes its instance in flight and its job goes back to pending.")

        @OptionGroup var options: WorkerOptions
        var logging: LoggingOptions { options.logging }

        func run(_ tool: TandemTool) async throws {
            try await options.work(tool) { worker in
                Logger(label: "dcmroute").info("routing under epoch \(worker.queue.index.epoch) as \(worker.settings.owner)")
                try await worker.run()
            }
        }
    }

    struct Once: TandemCommand {
        static let toolName = "dcmroute"
        static let configuration = CommandConfiguration(
            abstract: "Route what arrived and deliver every job that is due, then exit (for cron or a systemd timer).")

        @OptionGroup var options: WorkerOptions
        var logging: LoggingOptions { options.logging }

        func run(_ tool: TandemTool) async throws {
            let summary = try await options.work(tool) { try await $0.runOnce() }
            if !tool.quiet { tool.say(summary.text) }
            if summary.waiting + summary.dead > 0 { throw TandemExit.partialFailure.exitCode }
        }
    }
}
