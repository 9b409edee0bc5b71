import Foundation
@testable import TandemArchive

/// A fresh data root with its index, for the recovery suites; `remove()` when done.
struct RecoveryArchive {
    let temporary: TemporaryRoot
    let index: ArchiveIndex
    var root: DataRoot { temporary.root }

    init(storage: StorageSettings = StorageSettings()) throws {
        temporary = try TemporaryRoot()
        index = try ArchiveIndex(root: temporary.root, storage: storage, environment: [:])
    }

    /// The object of instance `sop` (study 1.2.3.1), published under `objects/` with `contents`
    /// as ingest writes it; `journaled` keeps its journal entry in `incoming/`, as before `settle()`.
    func object(_ sop: String = "1.2.3.1.1.1", contents: String, journaled: Bool = false) throws -> InstanceRecord {
        try IndexFixtures.stored(IndexFixtures.record(sop: sop), contents: contents, in: root, journaled: journaled)
    }

    /// `object(sop, contents:)` indexed and settled: an acknowledged instance.
    func indexedObject(_ sop: String = "1.2.3.1.1.1", contents: String) throws -> InstanceRecord {
        let record = try object(sop, contents: contents)
        _ = try index.insert([record])
        return record
    }

    func contents(of record: InstanceRecord) -> String? {
        IndexFixtures.contents(of: record, in: root)
    }

    func files(under directory: String) -> [String] {
        temporary.files(under: directory)
    }

    func remove() {
        temporary.remove()
    }
}
