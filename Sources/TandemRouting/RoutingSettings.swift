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
        self.owner = owner ?? "\(NodeIdentity.name())/\(ProcessInfo.processInfo.processIdentifier)"
    }
}
