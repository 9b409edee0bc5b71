import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// Ingest commits an index row while its file is still being flushed; a crash in between leaves a
/// row whose file may be missing or short. Recovery settles those rows from their notes.
@Suite struct UnflushedRecoveryTests {
    /// The parser recovery uses, standing in for DICOM: the record of `sop`, for any readable file.
    private static func parse(_ sop: String) -> (URL) throws -> InstanceRecord {
        { url in
            _ = try Data(contentsOf: url)
            return IndexFixtures.record(sop: sop)
        }
    }

    /// A journal entry name of a writer that is gone.
    private static func deadEntry() throws -> String {
        "\(try IndexFixtures.deadProcessID()).abcd1234.\(UUID().uuidString.lowercased()).part"
    }

    /// Commits `record` as ingest does while its file is being flushed.
    private static func commitUnflushed(_ record: InstanceRecord, in index: ArchiveIndex,
                                        journalEntry: String) async throws -> CommittedInsert {
        try await index.insert([(record, .received(unflushedJournalEntry: journalEntry))], clearingNotesOf: [])[0]
    }

    /// An object written with its journal entry and its row committed as noted, its writer then
    /// killed before the flush ended (the file itself complete).
    private static func crashedMidFlush(contents: String, in archive: RecoveryArchive) async throws -> InstanceRecord {
        let record = try archive.object(contents: contents, journaled: true)
        let entries = try IndexFixtures.crashWriters(in: archive.root)
        _ = try await commitUnflushed(record, in: archive.index, journalEntry: entries[0])
        return record
    }

    private static func notes(_ index: ArchiveIndex) throws -> [String] {
        try index.read { db in try String.fetchAll(db, sql: "SELECT file_path FROM unflushed_object ORDER BY id") }
    }

    @Test func aRowWhoseFileNeverArrivedIsDropped() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let record = try archive.object(contents: "lost")
        #expect(try await Self.commitUnflushed(record, in: index, journalEntry: try Self.deadEntry()).outcome == .stored)
        try FileManager.default.removeItem(at: archive.root.url(relativePath: record.filePath))

        let summary = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.rolledBackUnflushed == 1 && summary.confirmedUnflushed == 0)
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1") == nil)
        #expect(try index.study(studyInstanceUID: "1.2.3.1") == nil)
        #expect(try Self.notes(index).isEmpty)
    }

    @Test func aRowWhoseFileIsShortIsDroppedWithTheFile() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let record = try await Self.crashedMidFlush(contents: "complete", in: archive)
        #expect(truncate(archive.root.url(relativePath: record.filePath).path, 3) == 0)

        let summary = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.rolledBackUnflushed == 1)
        #expect(try index.counts().instances == 0)
        // The short object and its journal entry are gone too.
        #expect(archive.files(under: "objects").isEmpty)
        #expect(archive.files(under: "incoming").isEmpty)
    }

    @Test func aRowWhoseFileIsCompleteIsKept() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let record = try await Self.crashedMidFlush(contents: "complete", in: archive)

        let summary = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.confirmedUnflushed == 1 && summary.rolledBackUnflushed == 0)
        #expect(archive.contents(of: record) == "complete")
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == record.filePath)
        #expect(try Self.notes(index).isEmpty)
        #expect(archive.files(under: "incoming").isEmpty)
    }

    /// An overwrite keeps the acknowledged old file until the new one is durable: if the new one
    /// did not survive, the old one is indexed again.
    @Test func anOverwriteWhoseNewFileNeverArrivedRestoresTheOldFile() async throws {
        let archive = try RecoveryArchive(storage: StorageSettings(duplicatePolicy: .overwrite))
        defer { archive.remove() }
        let index = archive.index
        let old = try archive.indexedObject(contents: "acked")
        let new = try archive.object(contents: "never acked")
        let committed = try await Self.commitUnflushed(new, in: index, journalEntry: try Self.deadEntry())
        #expect(committed == CommittedInsert(outcome: .overwritten, replacedPath: old.filePath, noted: true))
        #expect(archive.contents(of: old) == "acked")
        try FileManager.default.removeItem(at: archive.root.url(relativePath: new.filePath))

        let summary = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.rolledBackUnflushed == 1 && summary.restoredReplaced == 1)
        let row = try #require(try index.instance(sopInstanceUID: "1.2.3.1.1.1"))
        #expect(row.record.filePath == old.filePath)
        #expect(try index.study(studyInstanceUID: "1.2.3.1")?.numberOfInstances == 1)
    }

    @Test func anOverwriteWhoseNewFileIsCompleteRemovesTheOldFile() async throws {
        let archive = try RecoveryArchive(storage: StorageSettings(duplicatePolicy: .overwrite))
        defer { archive.remove() }
        let index = archive.index
        let old = try archive.indexedObject(contents: "first")
        let new = try archive.object(contents: "second")
        _ = try await Self.commitUnflushed(new, in: index, journalEntry: try Self.deadEntry())

        let summary = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.confirmedUnflushed == 1)
        #expect(archive.files(under: "objects") == [new.filePath])
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == new.filePath)
    }

    /// Two overwrites in flight, neither new file durable: undone newest first, so the
    /// acknowledged first copy comes back.
    @Test func overwritesInFlightAreUndoneNewestFirst() async throws {
        let archive = try RecoveryArchive(storage: StorageSettings(duplicatePolicy: .overwrite))
        defer { archive.remove() }
        let index = archive.index
        let first = try archive.indexedObject(contents: "acked")
        var copies: [InstanceRecord] = []
        for contents in ["second", "third"] {
            let copy = try archive.object(contents: contents)
            _ = try await Self.commitUnflushed(copy, in: index, journalEntry: try Self.deadEntry())
            copies.append(copy)
        }
        for copy in copies { try FileManager.default.removeItem(at: archive.root.url(relativePath: copy.filePath)) }

        _ = try index.recover(parse: Self.parse("1.2.3.1.1.1"))
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == first.filePath)
        #expect(archive.files(under: "objects") == [first.filePath])
        #expect(try Self.notes(index).isEmpty)
    }

    /// A writer killed mid-flush while the node runs on: its note is settled without a restart
    /// (the routing worker's pass), so the routing cursor passes the instance and routes it.
    @Test func aDeadWritersNoteIsSettledOnALiveNode() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let record = try await Self.crashedMidFlush(contents: "complete", in: archive)
        let queue = JobQueue(index: archive.index)
        let target = RouteTarget(destination: "REVIEW1", routeName: "r", stableAfterSeconds: 0)
        #expect(try await queue.routeNewInstances(targets: { _ in [target] }) == 0)

        let summary = try archive.index.settleNotesOfDeadWriters(parse: Self.parse("1.2.3.1.1.1"))
        #expect(summary.confirmedUnflushed == 1 && summary.rolledBackUnflushed == 0)
        #expect(try Self.notes(archive.index).isEmpty)
        #expect(archive.files(under: "incoming").isEmpty)
        #expect(archive.contents(of: record) == "complete")
        #expect(try await queue.routeNewInstances(targets: { _ in [target] }) == 1)
    }

    @Test func aLiveWritersRowIsLeftAlone() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let record = try archive.object(contents: "flushing")
        let live = try DurableObjectWriter(root: archive.root, minFreeBytes: 0)
        defer { live.discard() }
        _ = try await Self.commitUnflushed(record, in: index, journalEntry: live.journalEntry)
        try FileManager.default.removeItem(at: archive.root.url(relativePath: record.filePath))

        #expect(try index.recover(parse: Self.parse("1.2.3.1.1.1")) == RecoverySummary())
        #expect(try Self.notes(index) == [record.filePath])
    }

    /// A note of a file made durable while rows wait for the commit in flight goes with those
    /// rows' commit, at no commit of its own; with nothing waiting it gets one (not fsynced).
    @Test func notesOfFlushedFilesRideOnTheNextBatch() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let committer = GroupCommitter(index: index)
        let first = IndexFixtures.record(sop: "1.2.3.1.1.1")
        _ = try await committer.insert(first, flush: FileFlush(), unflushedJournalEntry: try Self.deadEntry())

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: archive.root.indexFile.path, configuration: configuration)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let inFlight = Task { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.3")) }
        while await committer.committingCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let second = IndexFixtures.record(sop: "1.2.3.1.1.2")
        let waiting = Task { try await committer.insert(second, flush: FileFlush(), unflushedJournalEntry: try Self.deadEntry()) }
        while await committer.waitingCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let confirmed = Task { try await committer.confirmFlushed(first.filePath) }
        while await committer.confirmingCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        _ = try await (inFlight.value, waiting.value, confirmed.value)
        #expect(try Self.notes(index) == [second.filePath])
        #expect(await committer.statistics == GroupCommitStatistics(commits: 3, instances: 3, noteClearings: 0))

        try await committer.confirmFlushed(second.filePath)
        #expect(try Self.notes(index).isEmpty)
        #expect(await committer.statistics.noteClearings == 1)
    }

    /// A duplicate kept-first answers success only once the first copy is durable: when that copy
    /// is still being flushed by another reception, the commit says which file to make durable.
    @Test func aDuplicateOfAnUnflushedCopyNamesIt() async throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let index = archive.index
        let first = try archive.object(contents: "a")
        _ = try await Self.commitUnflushed(first, in: index, journalEntry: try Self.deadEntry())
        let copy = try archive.object(contents: "b")
        let duplicate = try await Self.commitUnflushed(copy, in: index, journalEntry: try Self.deadEntry())
        #expect(duplicate == CommittedInsert(outcome: .duplicateKept, unflushedKeptPath: first.filePath))
        #expect(try Self.notes(index) == [first.filePath])
        #expect(archive.files(under: "objects") == [first.filePath])
    }
}
