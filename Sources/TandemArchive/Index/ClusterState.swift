import Foundation
import GRDB

/// The row of `cluster_state`: the fencing epoch and the node that holds it.
public struct ClusterState: Sendable, Equatable {
    public var epoch: Int64
    /// nil until a node is first promoted.
    public var holder: String?
    /// The random token of the promotion that made `holder` the holder (see `HolderProof`).
    public var holderToken: String?
    public var updatedAt: Date

    /// The proof the holder's run directory keeps, nil before the first promotion.
    public var proof: HolderProof? {
        guard let holder, let holderToken else { return nil }
        return HolderProof(node: holder, epoch: epoch, token: holderToken)
    }
}

/// A write refused because the process's epoch is no longer current: another node (or a later
/// promotion) took over. The process must stop acting — the tools exit on it.
public struct FencedError: Error, Equatable, CustomStringConvertible {
    public let processEpoch: Int64
    public let currentEpoch: Int64
    public let holder: String?

    public var description: String {
        "fenced: this process runs under epoch \(processEpoch), the cluster is at epoch \(currentEpoch)"
            + (holder.map { " (held by \($0))" } ?? "")
    }
}

enum ClusterStateTable {
    static func read(_ db: Database) throws -> ClusterState {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT epoch, holder, holder_token, updated_at FROM cluster_state WHERE id = 1")
        else { throw DatabaseError(message: "cluster_state has no row") }
        return ClusterState(epoch: row["epoch"], holder: row["holder"], holderToken: row["holder_token"],
                            updatedAt: row["updated_at"])
    }

    /// Throws `FencedError` unless the cluster is at `epoch`. Every fenced write runs it inside
    /// its transaction, so the common case reads the epoch alone through a cached statement.
    static func checkEpoch(_ epoch: Int64, _ db: Database) throws {
        let current = try Int64.fetchOne(db.cachedStatement(sql: "SELECT epoch FROM cluster_state WHERE id = 1"))
        guard current != epoch else { return }
        let state = try read(db)
        throw FencedError(processEpoch: epoch, currentEpoch: state.epoch, holder: state.holder)
    }

    /// Keeps the state only when `proof` proves `node` holds it already; any other promotion, the
    /// same node name included, bumps the epoch under a new random token.
    static func promote(node: String, proof: HolderProof?, _ db: Database) throws -> ClusterState {
        let state = try read(db)
        if let proof, proof.node == node, proof.proves(state) { return state }
        let promoted = ClusterState(epoch: state.epoch + 1, holder: node, holderToken: UUID().uuidString,
                                    updatedAt: Date())
        try db.execute(sql: "UPDATE cluster_state SET epoch = ?, holder = ?, holder_token = ?, updated_at = ? WHERE id = 1",
                       arguments: [promoted.epoch, promoted.holder, promoted.holderToken, promoted.updatedAt])
        return promoted
    }
}
