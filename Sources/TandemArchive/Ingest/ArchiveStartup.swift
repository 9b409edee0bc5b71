import Foundation
import Logging

extension StorePipeline {
    /// Opens the archive of `root` and brings it in line after a crash before anything is received
    /// (docs/design.md, "Durability"): the `incoming/` journal settled (`ArchiveIndex.recover`),
    /// which costs the work in flight, not the archive's size. The epoch comes from
    /// `$TANDEM_EPOCH` unless given; recovery writes are fenced like any other. Without one,
    /// throws `PassiveNodeError` on a node that cannot prove it holds the current epoch, before
    /// touching anything.
    public static func open(root: DataRoot, storage: StorageSettings, epoch: Int64? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            spareFiles: Int = 0, logger: Logger = Logger(label: "tandem.ingest")) throws -> StorePipeline {
        let index = try ArchiveIndex(root: root, storage: storage, epoch: epoch, environment: environment)
        return try open(index: index, storage: storage, spareFiles: spareFiles, logger: logger)
    }

    /// `open(root:storage:epoch:environment:spareFiles:logger:)` on an index already opened.
    public static func open(index: ArchiveIndex, storage: StorageSettings, spareFiles: Int = 0,
                            logger: Logger = Logger(label: "tandem.ingest")) throws -> StorePipeline {
        let root = index.root
        // Started without an epoch on a passive node: recovery would remove and index files there.
        try index.requireWriteRight()
        let summary = try index.recover()
        logger.info("archive recovered", metadata: [
            "root": "\(root.url.path)", "epoch": "\(index.epoch)",
            "removed_incoming": "\(summary.removedIncoming)", "reindexed": "\(summary.reindexed)",
            "settled": "\(summary.settled)", "dropped_duplicates": "\(summary.droppedDuplicates)",
            "confirmed_unflushed": "\(summary.confirmedUnflushed)",
            "rolled_back_unflushed": "\(summary.rolledBackUnflushed)",
            "restored_replaced": "\(summary.restoredReplaced)",
            "removed_unreadable": "\(summary.removedUnreadable)",
            "unreadable": "\(summary.unreadable.count)"])
        for object in summary.unreadable {
            logger.warning("unreadable object left in place", metadata: [
                "path": "\(object.relativePath)", "reason": "\(object.reason)"])
        }
        return StorePipeline(index: index, storage: storage, spareFiles: spareFiles, logger: logger)
    }
}
