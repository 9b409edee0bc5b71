import ArgumentParser
import Foundation
import Logging
import NIOConcurrencyHelpers
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

    func worker() throws -> RoutingWorker {
        logging.bootstrap()
        let archive = try RouteArchive.open(root, quiet: logging.quiet)
        // A passive node's worker (cron, or started by hand without TANDEM_EPOCH) claims nothing.
        do {
            try archive.index.requireWriteRight()
        } catch let refusal as PassiveNodeError {
            throw RouteArchive.passive("\(refusal)", quiet: logging.quiet)
        }
        var settings = RoutingSettings(configuration: archive.configuration)
        settings.concurrency = jobs
        settings.lease = .seconds(lease)
        settings.pollInterval = .milliseconds(Int(poll * 1000))
        settings.connectTimeout = .seconds(connectTimeout)
        settings.dimseTimeout = .seconds(dimseTimeout)
        return RoutingWorker(index: archive.index, settings: settings)
    }

    /// Runs `body` with a worker that SIGTERM/SIGINT stop gracefully; a fencing exits 75.
    func work<T>(_ body: (RoutingWorker) async throws -> T) async throws -> T {
        let stop = StopOnSignal()
        defer { stop.cancel() }
        let worker = try stop.attach(worker())
        return try await RouteArchive.exitingWhenFenced { try await body(worker) }
    }
}

extension DcmRoute {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run as a daemon: route new instances, wait for stable studies, deliver due jobs.",
            discussion: "Stops on SIGTERM/SIGINT: each delivery finishes its instance in flight and its job goes back to pending.")

        @OptionGroup var options: WorkerOptions

        func run() async throws {
            try await options.work { worker in
                Logger(label: "dcmroute").info("routing under epoch \(worker.queue.index.epoch) as \(worker.settings.owner)")
                try await worker.run()
            }
        }
    }

    struct Once: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Route what arrived and deliver every job that is due, then exit (for cron or a systemd timer).")

        @OptionGroup var options: WorkerOptions

        func run() async throws {
            let summary = try await options.work { try await $0.runOnce() }
            if !options.logging.quiet { FileHandle.standardError.write(Data("dcmroute: \(summary.text)\n".utf8)) }
            if summary.waiting + summary.dead > 0 { throw TandemExit.partialFailure.exitCode }
        }
    }
}

/// SIGTERM/SIGINT stop the worker gracefully, including a signal that arrives while the archive
/// is still being opened (the worker then stops as soon as it exists).
final class StopOnSignal: Sendable {
    private struct State {
        var worker: RoutingWorker?
        var requested = false
        var watcher: SignalWatcher?
    }

    private let state = NIOLockedValueBox(State())

    init() {
        let watcher = SignalWatcher { [weak self] _ in self?.request() }
        state.withLockedValue { $0.watcher = watcher }
    }

    func attach(_ worker: RoutingWorker) -> RoutingWorker {
        let requested = state.withLockedValue { state in
            state.worker = worker
            return state.requested
        }
        if requested { worker.stop() }
        return worker
    }

    func cancel() {
        state.withLockedValue { $0.watcher }?.cancel()
    }

    private func request() {
        state.withLockedValue { state in
            state.requested = true
            return state.worker
        }?.stop()
    }
}
