import Foundation
import TandemArchive

/// What this node currently is. Node-local: a rebooted node is passive until promoted.
public enum NodeRole: String, Codable, Sendable {
    case active
    case passive
}

/// The cluster epoch and the node that holds it, as recorded in the index.
/// The epoch is the fencing token: every write transaction of a process started
/// under epoch E checks that E is still current (docs/design.md, "Cluster model").
public struct EpochState: Codable, Sendable, Equatable {
    public var epoch: Int64
    public var holder: String

    public init(epoch: Int64, holder: String) {
        self.epoch = epoch
        self.holder = holder
    }
}

/// The authority that records who is active: the archive's `cluster_state`.
public protocol EpochAuthority: Sendable {
    /// The current epoch, or nil if no node was ever promoted.
    func current() throws -> EpochState?
    /// Records `node` as the holder under a bumped epoch with a new proof, unless `proof` (this node's
    /// own, from its run directory) shows that `node` holds the current epoch already: then returns
    /// `proof` unchanged.
    func promote(node: String, proof: HolderProof?) throws -> HolderProof
}

/// Archive work a promotion must do before services start. Implemented on top of
/// the archive; routing's part (jobs claimed under older epochs) joins when routing exists.
public protocol PromotionHousekeeping: Sendable {
    /// Removes or recovers partial receives in `incoming/`; returns how many were handled.
    func recoverIncoming() throws -> Int
    /// Releases routing jobs claimed under an epoch older than `epoch`; returns how many.
    func releaseJobs(claimedBefore epoch: Int64) throws -> Int
    /// Jobs waiting for delivery, or nil when the archive has no job queue yet.
    func queueDepth() throws -> Int?
}

/// Why a transition failed; `clusterctl` maps these to exit codes.
public enum ClusterError: Error, Equatable, CustomStringConvertible {
    /// A promote.d/demote.d executable exited non-zero or timed out.
    case hookFailed(name: String, status: Int32, output: String)
    /// Services did not answer within the verification timeout.
    case servicesNotAnswering([String])
    /// The index could not be read or written.
    case authorityUnavailable(String)

    public var description: String {
        switch self {
        case let .hookFailed(name, status, output):
            let tail = output.isEmpty ? "" : ": \(output)"
            return status == HookRunner.timedOutStatus
                ? "hook \(name) timed out\(tail)" : "hook \(name) exited \(status)\(tail)"
        case let .servicesNotAnswering(names):
            return "services not answering: \(names.joined(separator: ", "))"
        case let .authorityUnavailable(reason):
            return "cluster state unavailable: \(reason)"
        }
    }
}
