import DICOMCore
import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// A row committed while its file is still being flushed (noted in `unflushed_object`) could
/// still be taken back by a crash: no reader reports or hands it out until its note is cleared.
@Suite struct UnflushedVisibilityTests {
    static let settledSOP = "1.2.3.1.1.1"
    static let flushingSOP = "1.2.3.1.1.2"

    /// An index with one settled instance and, after it, one whose file is still being flushed.
    static func archive(_ temporary: TemporaryRoot) async throws -> (ArchiveIndex, flushingPath: String) {
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try await index.insert([IndexFixtures.record(sop: settledSOP)])
        let flushing = IndexFixtures.record(sop: flushingSOP)
        _ = try await index.insert([(flushing, .received(unflushedJournalEntry: "1.abcd1234.entry.part"))], clearingNotesOf: [])
        return (index, flushing.filePath)
    }

    static func imageLevelMatches(_ index: ArchiveIndex) throws -> [String] {
        let request = try QueryRequest(model: .studyRoot, level: .image,
                                       keys: [QueryKey(.studyInstanceUID, "1.2.3.1"), QueryKey(.sopInstanceUID)])
        return try index.find(request).matches.compactMap { $0.attributes[.sopInstanceUID]?.values.first }
    }

    @Test func findAtTheImageLevelReportsSettledRowsOnly() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let (index, flushingPath) = try await Self.archive(temporary)
        #expect(try Self.imageLevelMatches(index) == [Self.settledSOP])
        let request = try QueryRequest(model: .studyRoot, level: .image, keys: [QueryKey(.sopInstanceUID)])
        #expect(try index.countMatches(request) == 1)

        try await index.clearUnflushedNotes([flushingPath])
        #expect(try Self.imageLevelMatches(index) == [Self.settledSOP, Self.flushingSOP])
    }

    @Test func retrievesSelectSettledRowsOnly() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let (index, flushingPath) = try await Self.archive(temporary)
        // WADO-RS, the viewer and the metadata read this selection.
        #expect(try index.instances(studyInstanceUID: "1.2.3.1").map(\.record.sopInstanceUID) == [Self.settledSOP])
        #expect(try index.instances(studyInstanceUID: "1.2.3.1", sopInstanceUID: Self.flushingSOP).isEmpty)
        // C-MOVE and C-GET.
        let identifier = try RetrieveSelectionTests.identifier("STUDY", [(.studyInstanceUID, "1.2.3.1")])
        let selection = try RetrieveSelection(identifier: identifier, model: .studyRoot)
        #expect(try await index.instances(selection).map(\.sopInstanceUID) == [Self.settledSOP])

        try await index.clearUnflushedNotes([flushingPath])
        #expect(try await index.instances(selection).map(\.sopInstanceUID) == [Self.settledSOP, Self.flushingSOP])
        #expect(try index.instances(studyInstanceUID: "1.2.3.1").count == 2)
    }

    @Test func storageCommitmentDoesNotCommitAFileStillBeingFlushed() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let (index, flushingPath) = try await Self.archive(temporary)
        #expect(try await index.commitmentCandidates([Self.settledSOP, Self.flushingSOP]).keys.sorted() == [Self.settledSOP])
        try await index.clearUnflushedNotes([flushingPath])
        #expect(try await index.commitmentCandidates([Self.settledSOP, Self.flushingSOP]).keys.sorted()
                == [Self.settledSOP, Self.flushingSOP])
    }

    /// The cursor stops below the first noted row, so the rules still meet it once it is settled.
    @Test func routingWaitsForTheFlushAndMissesNothing() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let (index, flushingPath) = try await Self.archive(temporary)
        _ = try await index.insert([IndexFixtures.record(sop: "1.2.3.1.1.3")])
        let queue = JobQueue(index: index)
        #expect(try await JobQueueTests.routeAll(queue) == 1)
        #expect(try await JobQueueTests.routeAll(queue) == 0)

        try await index.clearUnflushedNotes([flushingPath])
        #expect(try await JobQueueTests.routeAll(queue) == 2)
        #expect(try queue.jobs().map(\.queuedItems) == [3])
    }

    /// The clearing commit skips its fsync; every other commit must stay synced.
    @Test func clearingLeavesTheWriterSynchronousFull() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let (index, flushingPath) = try await Self.archive(temporary)
        try await index.clearUnflushedNotes([flushingPath])
        let synchronous = try await index.database.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(synchronous == 2)  // FULL
        #expect(try index.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM unflushed_object") } == 0)
    }

    /// `confirmFlushed` returns once the note is gone, with no insert waiting to carry it.
    @Test func confirmingAFlushClearsTheNoteBeforeItReturns() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        let record = IndexFixtures.record(sop: Self.flushingSOP)
        _ = try await committer.insert(record, flush: FileFlush(), unflushedJournalEntry: "1.abcd1234.entry.part")
        #expect(try Self.imageLevelMatches(index).isEmpty)
        try await committer.confirmFlushed(record.filePath)
        #expect(try Self.imageLevelMatches(index) == [Self.flushingSOP])
    }

    /// A file whose flush ended before its row's transaction was formed needs no note: the row
    /// is committed after the file, visible at once, with nothing left to clear.
    @Test func aFlushEndedBeforeTheCommitLeavesNoNote() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        let flush = FileFlush()
        #expect(flush.ended() == false)  // no commit yet: nothing for the flushing side to clear
        let committed = try await committer.insert(IndexFixtures.record(sop: Self.flushingSOP), flush: flush,
                                                   unflushedJournalEntry: "1.abcd1234.entry.part")
        #expect(committed == CommittedInsert(outcome: .stored))
        #expect(try index.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM unflushed_object") } == 0)
        #expect(try Self.imageLevelMatches(index) == [Self.flushingSOP])
    }

    /// A row committed before its file's flush ended: the flushing side learns it from
    /// `ended()` and clears the note itself, on its own thread, keeping the writer's FULL sync.
    @Test func aCommitEndedBeforeTheFlushIsClearedByTheFlushingSide() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        let flush = FileFlush()
        let record = IndexFixtures.record(sop: Self.flushingSOP)
        let committed = try await committer.insert(record, flush: flush, unflushedJournalEntry: "1.abcd1234.entry.part")
        #expect(committed.noted)
        #expect(try Self.imageLevelMatches(index).isEmpty)
        #expect(flush.ended())
        try index.clearUnflushedNotesNow([record.filePath])
        #expect(try Self.imageLevelMatches(index) == [Self.flushingSOP])
        let synchronous = try await index.database.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(synchronous == 2)  // FULL
    }
}
