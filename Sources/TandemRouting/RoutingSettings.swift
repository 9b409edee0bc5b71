import Foundation
import TandemArchive
import TandemSend

/// How a routing worker runs: the configuration it routes by and its own limits.
public struct RoutingSettings: Sendable {
    public var configuration: TandemConfiguration
    /// Who claims jobs: node name and process ID, shown by `dcmroute show`.
    public var owner: String
    /// Jobs delivered at once, each on its own association.
    public var concurrency = 1
    /// How long a claim holds without renewal; a worker that died is replaced after this.
    public var lease: Duration = .seconds(30)
    /// How often the daemon looks for new instances and due jobs when idle.
    public var pollInterval: Duration = .seconds(1)
    /// How often results are recorded while a delivery runs.
    public var flushInterval: Duration = .milliseconds(250)
    public var connectTimeout: Duration = .seconds(10)
    public var dimseTimeout: Duration = .seconds(120)

    public init(configuration: TandemConfiguration, owner: String? = nil) {
        self.configuration = configuration
        self.owner = owner ?? "\(configuration.node.name)/\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// The deliveries under way, so that a stop can end them all: each finishes the instance in
/// flight and releases its association.
final class SendRegistry: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var running: [Int64: SendStop] = [:]
    private var stopping = false

    /// The stop switch of a new delivery, already thrown when the worker is stopping.
    func register(_ jobID: Int64) -> SendStop {
        let stop = SendStop()
        let stopNow = lock.withLock {
            running[jobID] = stop
            return stopping
        }
        if stopNow { stop.request() }
        return stop
    }

    func remove(_ jobID: Int64) {
        _ = lock.withLock { running.removeValue(forKey: jobID) }
    }

    /// Stops every delivery under way and any that registers later.
    func stopAll() {
        let stops = lock.withLock {
            stopping = true
            return Array(running.values)
        }
        for stop in stops { stop.request() }
    }

    var isStopping: Bool {
        lock.withLock { stopping }
    }
}
