import DICOMCore
import Foundation
import GRDB
import Logging

extension ArchiveIndex {
    /// Files read per batch, each batch written in one transaction: small enough that ingest
    /// waits at most a few milliseconds for the index.
    static let sequenceBackfillBatch = 100

    /// Fills `sequence_attribute` for the instances indexed before migration "sequence-keys"
    /// (`sequence_backfill`), a batch of files at a time in id order, until none is left; the
    /// archive serves meanwhile, and Sequence Matching misses the studies not reached yet. Only
    /// the indexed sequences of each file are parsed. A file that cannot be read is skipped (its
    /// instance has no sequence rows, as one without sequences). Stops at cancellation; throws
    /// `FencedError` when another node took over.
    public func fillSequenceKeys(logger: Logger) async throws {
        var filled = 0
        while !Task.isCancelled, let batch = try await nextSequenceBackfillBatch() {
            if filled == 0 {
                logger.info("indexing the sequence keys of instances archived before them", metadata: [
                    "from_instance": "\(batch.instances.first?.id ?? 0)", "to_instance": "\(batch.lastInstance)"])
            }
            let sequences = batch.instances.map { instance in
                (instance, Self.indexedSequences(ofFileAt: root.url(relativePath: instance.filePath)))
            }
            let last = batch.instances.last?.id ?? batch.lastInstance
            try await write { db in
                for (instance, found) in sequences where !found.isEmpty {
                    // The instance may have been replaced or removed since the batch was read.
                    guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM instance WHERE id = ? AND file_path = ?)",
                                            arguments: [instance.id, instance.filePath]) == true else { continue }
                    try SequenceIndex.insert(found, owners: instance.owners, db)
                }
                if last >= batch.lastInstance {
                    try db.execute(sql: "DELETE FROM sequence_backfill")
                } else {
                    try db.execute(sql: "UPDATE sequence_backfill SET next_instance_ref = ?", arguments: [last + 1])
                }
            }
            filled += batch.instances.count
            if last >= batch.lastInstance {
                logger.info("sequence keys indexed", metadata: ["instances": "\(filled)"])
            }
        }
    }

    struct SequenceBackfillBatch: Sendable {
        struct Instance: Sendable {
            let id: Int64
            let filePath: String
            let owners: [IndexEntity: Int64]
        }

        let instances: [Instance]
        let lastInstance: Int64
    }

    /// The next instances to fill, nil when there is nothing left to fill.
    func nextSequenceBackfillBatch() async throws -> SequenceBackfillBatch? {
        try await database.read { db in
            guard let state = try Row.fetchOne(db, sql: "SELECT next_instance_ref, last_instance_ref FROM sequence_backfill")
            else { return nil }
            let last: Int64 = state["last_instance_ref"]
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.id, i.file_path, i.series_ref, se.study_ref, s.patient_ref
                FROM instance i JOIN series se ON se.id = i.series_ref JOIN study s ON s.id = se.study_ref
                WHERE i.id >= ? AND i.id <= ? AND i.missing_since IS NULL ORDER BY i.id LIMIT ?
                """, arguments: [state["next_instance_ref"] as Int64, last, Self.sequenceBackfillBatch])
            let instances = rows.map { row in
                SequenceBackfillBatch.Instance(id: row["id"], filePath: row["file_path"], owners: [
                    .patient: row["patient_ref"], .study: row["study_ref"], .series: row["series_ref"],
                    .instance: row["id"]])
            }
            return SequenceBackfillBatch(instances: instances, lastInstance: last)
        }
    }

    private static func indexedSequences(ofFileAt url: URL) -> [SequenceAttributes] {
        guard let file = try? DICOMFile(path: url.path, options: .indexing(retaining: Set(SequenceIndex.owners.keys)))
        else { return [] }
        return SequenceIndex.sequences(of: file.dataSet)
    }
}
