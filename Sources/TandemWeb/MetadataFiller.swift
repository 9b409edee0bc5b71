import DICOMCore
import Foundation
import Logging
import ServiceLifecycle
import TandemArchive

/// Fills the metadata cache (`InstanceMetadata`) in the background, so that even a study's first
/// `/metadata` is answered from the index. Newly indexed instances come first, then the rest of
/// the archive from the newest down. It works in small batches, each a short fenced write, and
/// pauses between them: ingest shares the index's write lock and the machine's cores, and stays
/// the priority (nothing here runs before a C-STORE or STOW-RS response).
struct MetadataFiller: Service {
    let index: ArchiveIndex
    let logger: Logger
    var batchSize = 64
    /// Between batches while there is work.
    var pause: Duration = .milliseconds(50)
    /// While everything is cached.
    var idleInterval: Duration = .seconds(2)

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await fill() }
        } catch is CancellationError {
            return
        }
    }

    private func fill() async throws {
        let index = self.index, batchSize = self.batchSize, format = InstanceMetadata.format
        // Id ranges still to visit, the last first; ids above `highWater` have not been seen yet.
        var pending: [ClosedRange<Int64>] = []
        var highWater: Int64 = 0
        while true {
            do {
                let newest = try await BlockingWork.run { try index.highestInstanceID() }
                if newest > highWater {
                    pending.append((highWater + 1)...newest)
                    highWater = newest
                }
                guard let range = pending.popLast() else {
                    try await Task.sleep(for: idleInterval)
                    continue
                }
                let batch = try await BlockingWork.run {
                    try index.instancesWithoutMetadata(ids: range, format: format, limit: batchSize)
                }
                // A full batch may have left older ids of the range behind (it is taken newest first).
                if batch.count == batchSize, let lowest = batch.last?.instanceID, lowest > range.lowerBound {
                    pending.append(range.lowerBound...(lowest - 1))
                }
                guard !batch.isEmpty else { continue }
                try await store(batch)
                try await Task.sleep(for: pause)
            } catch let stop as FencedError {
                throw stop
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The index busy or briefly unreadable: the cache is an optimisation, so wait and go on.
                logger.warning("metadata cache: \(error)")
                try await Task.sleep(for: idleInterval)
            }
        }
    }

    /// Builds and stores a batch's templates; an unreadable file is left to the request that needs it.
    private func store(_ batch: [CachedInstance]) async throws {
        let root = index.root, logger = self.logger
        let entries: [(instanceID: Int64, json: Data)] = try await BlockingWork.run {
            batch.compactMap { instance in
                do {
                    return (instance.instanceID, try InstanceMetadata.template(instance.record, root: root))
                } catch {
                    logger.debug("metadata cache: \(instance.record.filePath) not readable: \(error)")
                    return nil
                }
            }
        }
        try await index.storeMetadata(entries, format: InstanceMetadata.format)
    }
}
