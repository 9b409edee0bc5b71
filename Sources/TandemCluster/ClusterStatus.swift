import Foundation

/// What `clusterctl status` reports: this node's view plus the recorded cluster state.
public struct ClusterStatus: Codable, Sendable, Equatable {
    public struct Service: Codable, Sendable, Equatable {
        public var name: String
        public var state: ServiceState
        /// Why a running process does not answer (its probe's finding).
        public var detail: String? = nil
    }

    public var node: String
    public var role: NodeRole
    /// The epoch this node was promoted under (its role record), if any.
    public var epoch: Int64?
    public var since: Date?
    /// The cluster epoch and holder as recorded in the index.
    public var cluster: EpochState?
    /// Why the index could not be read (e.g. the shared volume is not mounted here).
    public var clusterError: String?
    public var services: [Service] = []
    /// Routing jobs waiting, when the archive has a job queue.
    public var queueDepth: Int?
    public var transitions: [Transition] = []

    public init(node: String, role: NodeRole, epoch: Int64?, since: Date?) {
        self.node = node
        self.role = role
        self.epoch = epoch
        self.since = since
    }

    public func json() throws -> String {
        String(decoding: try JSONCoding.encoder.encode(self), as: UTF8.self)
    }

    /// One fact per line, for people.
    public func text() -> String {
        let time = ISO8601DateFormatter()
        var lines = [
            "node: \(node)",
            "role: \(role.rawValue)" + (since.map { " since \(time.string(from: $0))" } ?? ""),
            "epoch: " + (epoch.map(String.init) ?? "none"),
        ]
        if let cluster {
            lines.append("cluster: epoch \(cluster.epoch) held by \(cluster.holder)")
        } else {
            lines.append("cluster: " + (clusterError ?? "never promoted"))
        }
        lines += services.map { "service \($0.name): \($0.state.rawValue)" + ($0.detail.map { " (\($0))" } ?? "") }
        lines.append("queue depth: " + (queueDepth.map(String.init) ?? "n/a"))
        lines += transitions.map { transition in
            let epoch = transition.epoch.map { " epoch \($0)" } ?? ""
            return "transition: \(time.string(from: transition.time)) \(transition.node) "
                + "\(transition.action.rawValue)\(epoch) \(transition.outcome.rawValue): \(transition.detail)"
        }
        return lines.joined(separator: "\n")
    }
}
