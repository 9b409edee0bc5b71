import Foundation
import Testing
@testable import TandemArchive

/// Start-up recovery settles the journal in `incoming/`, whatever moment the crash hit.
@Suite struct StartupRecoveryTests {
    private func touch(_ url: URL) {
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("x".utf8)))
    }

    private static let noParse: @Sendable (URL) throws -> InstanceRecord = { url in
        Issue.record("unexpected parse of \(url)")
        throw CancellationError()
    }

    /// A power cut took the data of a file that was never flushed: it reads as nothing DICOM.
    private static let lostData: @Sendable (URL) throws -> InstanceRecord = { _ in
        throw IndexAttributes.Failure.unreadable("empty file")
    }

    @Test func removesUnpublishedLeftoversOfDeadWritersOnly() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let incoming = archive.root.incomingDirectory
        touch(incoming.appendingPathComponent("\(try IndexFixtures.deadProcessID()).abcd1234.\(UUID().uuidString).part"))
        touch(incoming.appendingPathComponent("\(getpid()).00000000.\(UUID().uuidString).part"))  // an earlier life of this pid
        touch(incoming.appendingPathComponent("junk"))
        let live = try DurableObjectWriter(root: archive.root, minFreeBytes: 0)
        try live.append(Data("in flight".utf8))

        #expect(try archive.index.removeIncomingLeftovers() == 3)
        #expect(archive.temporary.files(in: incoming) == ["incoming/" + live.temporaryURL.lastPathComponent])
        live.discard()
    }

    /// Promotion housekeeping has no DICOM parser: it leaves journal entries to dcmrecv's recovery.
    @Test func housekeepingLeavesJournalEntriesOfPublishedObjects() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        _ = try archive.object(contents: "a", journaled: true)
        let entries = try IndexFixtures.crashWriters(in: archive.root)
        #expect(try archive.index.removeIncomingLeftovers() == 0)
        #expect(archive.files(under: "incoming") == entries.map { "incoming/" + $0 })
    }

    /// Crash between link and commit: the object is published, its row is not.
    @Test func indexesAPublishedObjectWithoutRow() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        _ = try archive.indexedObject(contents: "a")
        let orphan = try archive.object("1.2.3.1.1.2", contents: "bb", journaled: true)
        let entries = try IndexFixtures.crashWriters(in: archive.root)

        var parsed: [URL] = []
        let summary = try archive.index.recover { url in
            parsed.append(url)
            var record = IndexFixtures.record(sop: "1.2.3.1.1.2")
            record.filePath = "objects/somewhere/else.dcm"
            return record
        }
        #expect(parsed.map(\.lastPathComponent) == entries)
        #expect(summary.reindexed == 1 && summary.settled == 0)
        let row = try #require(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.2"))
        #expect(row.record.filePath == orphan.filePath)
        #expect(row.record.fileSize == 2)
        #expect(try archive.index.study(studyInstanceUID: "1.2.3.1")?.numberOfInstances == 2)
        #expect(archive.files(under: "incoming").isEmpty)
        #expect(archive.contents(of: orphan) == "bb")
    }

    /// Crash between commit and settle: indexed already, only the entry goes.
    @Test func settlesTheEntryOfAnIndexedObject() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let record = try archive.object(contents: "a", journaled: true)
        _ = try archive.index.insert([record])
        try IndexFixtures.crashWriters(in: archive.root)

        let summary = try archive.index.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(summary.settled == 1 && summary.reindexed == 0)
        #expect(try archive.index.counts().instances == 1)
        #expect(archive.files(under: "incoming").isEmpty)
        #expect(archive.contents(of: record) == "a")
    }

    @Test func dropsAPublishedCopyOfAnIndexedInstance() throws {
        let archive = try RecoveryArchive(storage: StorageSettings(duplicatePolicy: .overwrite))
        defer { archive.remove() }
        let indexed = try archive.indexedObject(contents: "acked")
        let copy = try archive.object(contents: "never acked", journaled: true)
        try IndexFixtures.crashWriters(in: archive.root)

        let summary = try archive.index.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(summary.droppedDuplicates == 1 && summary.reindexed == 0)
        #expect(archive.contents(of: copy) == nil)
        #expect(archive.contents(of: indexed) == "acked")
        #expect(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == indexed.filePath)
        #expect(archive.files(under: "incoming").isEmpty)
    }

    /// A power cut between link and commit that also took the file's data: the entry does not
    /// parse, so its object is found by inode; without a row it was never acknowledged and goes.
    @Test func removesAnUnreadablePublishedObjectWithoutRow() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let acknowledged = try archive.indexedObject("1.2.3.1.1.1", contents: "acked")
        let lost = try archive.object("1.2.3.1.1.2", contents: "", journaled: true)
        try IndexFixtures.crashWriters(in: archive.root)

        let summary = try archive.index.recover(parse: Self.lostData)
        #expect(summary.removedUnreadable == 1 && summary.unreadable.isEmpty)
        #expect(archive.files(under: "objects") == [acknowledged.filePath])
        #expect(archive.files(under: "incoming").isEmpty)
        #expect(try archive.index.counts().instances == 1)
        #expect(archive.contents(of: lost) == nil)
    }

    /// The same entry with a row (committed, no longer noted: acknowledged) keeps its object:
    /// only the entry settles, and an object now of another size is reported, never removed.
    @Test func neverRemovesAnIndexedObjectItCannotParse() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let whole = try archive.object("1.2.3.1.1.1", contents: "acked", journaled: true)
        var changed = try archive.object("1.2.3.1.1.2", contents: "acked too", journaled: true)
        changed.fileSize += 1
        _ = try archive.index.insert([whole, changed])
        try IndexFixtures.crashWriters(in: archive.root)

        let summary = try archive.index.recover(parse: Self.lostData)
        #expect(summary.settled == 1 && summary.removedUnreadable == 0)
        #expect(summary.unreadable.map(\.relativePath) == [changed.filePath])
        #expect(archive.contents(of: whole) == "acked" && archive.contents(of: changed) == "acked too")
        #expect(archive.files(under: "incoming").count == 1)
        #expect(try archive.index.counts().instances == 2)
    }

    /// Recovery costs what was in flight: it neither lists `objects/` nor reads every row.
    /// Orphans and missing files are `checkConsistency`'s (`clusterctl fsck`).
    @Test func leavesTheRestOfTheArchiveToTheConsistencyCheck() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let lost = try archive.indexedObject("1.2.3.1.1.1", contents: "a")
        try FileManager.default.removeItem(at: archive.root.url(relativePath: lost.filePath))
        _ = try archive.object("1.2.3.1.1.2", contents: "b")
        let live = try archive.object("1.2.3.1.1.3", contents: "c", journaled: true)

        let summary = try archive.index.recover(parse: Self.noParse)
        #expect(summary == RecoverySummary())
        #expect(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince == nil)
        #expect(try archive.index.counts().instances == 1)
        #expect(archive.contents(of: live) == "c")
    }

    @Test func aNewCopyReplacesAnInstanceWhoseFileIsMissing() throws {
        let archive = try RecoveryArchive()
        defer { archive.remove() }
        let lost = try archive.indexedObject(contents: "a")
        try FileManager.default.removeItem(at: archive.root.url(relativePath: lost.filePath))
        _ = try archive.index.checkConsistency(repair: true, parse: Self.noParse)

        let resent = try archive.object(contents: "again")
        #expect(try archive.index.insert([resent]) == [.overwritten])
        let row = try #require(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1"))
        #expect(row.missingSince == nil)
        #expect(archive.contents(of: row.record) == "again")
    }
}
