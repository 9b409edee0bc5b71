import Foundation
import TandemArchive

/// The epoch authority in production: the `cluster_state` row of the archive's index.
/// The index is opened per call: clusterctl is short-lived, and the shared volume may
/// be absent (a probe on the passive node must not create an index there).
public struct ArchiveEpochAuthority: EpochAuthority {
    public let root: DataRoot
    public let storage: StorageSettings

    public init(root: DataRoot, storage: StorageSettings = StorageSettings()) {
        self.root = root
        self.storage = storage
    }

    public func current() throws -> EpochState? {
        guard FileManager.default.fileExists(atPath: root.indexFile.path) else { return nil }
        return Self.epochState(try ArchiveIndex(root: root, storage: storage, createIfMissing: false).clusterState())
    }

    /// Creates the archive when it does not exist yet: promote is, with dcmrecv's first start, what may.
    public func promote(node: String, proof: HolderProof?) throws -> HolderProof {
        let state = try ArchiveIndex(root: root, storage: storage).promote(node: node, proof: proof)
        guard let held = state.proof else { throw ClusterError.authorityUnavailable("promotion recorded no holder") }
        return held
    }

    static func epochState(_ state: ClusterState) -> EpochState? {
        state.holder.map { EpochState(epoch: state.epoch, holder: $0) }
    }
}

/// Promotion housekeeping on the archive. Partial receives of the old active node are
/// removed here; objects without index rows are re-indexed by dcmrecv's start-up
/// recovery, which has the DICOM parser.
public struct ArchiveHousekeeping: PromotionHousekeeping {
    public let root: DataRoot
    public let storage: StorageSettings

    public init(root: DataRoot, storage: StorageSettings = StorageSettings()) {
        self.root = root
        self.storage = storage
    }

    public func recoverIncoming() throws -> Int {
        try ArchiveIndex(root: root, storage: storage).removeIncomingLeftovers()
    }

    /// Jobs claimed under an epoch older than `epoch` (by the old active node's `dcmroute`) go
    /// back to pending, so the new active node delivers them without waiting for their leases.
    public func releaseJobs(claimedBefore epoch: Int64) throws -> Int {
        try JobQueue(index: ArchiveIndex(root: root, storage: storage, epoch: epoch, createIfMissing: false))
            .releaseJobs(claimedBefore: epoch)
    }

    /// Routing jobs still to act on; nil where the data root is not mounted.
    public func queueDepth() throws -> Int? {
        guard FileManager.default.fileExists(atPath: root.indexFile.path) else { return nil }
        return try JobQueue(index: ArchiveIndex(root: root, storage: storage, createIfMissing: false)).depth()
    }
}
