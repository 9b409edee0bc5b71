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

    @Test func removesUnpublishedLeftoversOfDeadWritersOnly() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let incoming = temporary.root.incomingDirectory
        touch(incoming.appendingPathComponent("\(try IndexFixtures.deadProcessID()).abcd1234.\(UUID().uuidString).part"))
        touch(incoming.appendingPathComponent("\(getpid()).00000000.\(UUID().uuidString).part"))  // an earlier life of this pid
        touch(incoming.appendingPathComponent("junk"))
        let live = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        try live.append(Data("in flight".utf8))

        #expect(try index.removeIncomingLeftovers() == 3)
        #expect(temporary.files(in: incoming) == ["incoming/" + live.temporaryURL.lastPathComponent])
        live.discard()
    }

    /// Promotion housekeeping has no DICOM parser: it leaves journal entries to dcmrecv's recovery.
    @Test func housekeepingLeavesJournalEntriesOfPublishedObjects() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root,
                                     journaled: true)
        let entries = try IndexFixtures.crashWriters(in: temporary.root)
        #expect(try index.removeIncomingLeftovers() == 0)
        #expect(temporary.files(in: temporary.root.incomingDirectory) == entries.map { "incoming/" + $0 })
    }

    /// Crash between link and commit: the object is published, its row is not.
    @Test func indexesAPublishedObjectWithoutRow() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([indexed])
        let orphan = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.2"), contents: "bb", in: temporary.root,
                                              journaled: true)
        let entries = try IndexFixtures.crashWriters(in: temporary.root)

        var parsed: [URL] = []
        let summary = try index.recover { url in
            parsed.append(url)
            var record = IndexFixtures.record(sop: "1.2.3.1.1.2")
            record.filePath = "objects/somewhere/else.dcm"
            return record
        }
        #expect(parsed.map(\.lastPathComponent) == entries)
        #expect(summary.reindexed == 1 && summary.settled == 0)
        let row = try #require(try index.instance(sopInstanceUID: "1.2.3.1.1.2"))
        #expect(row.record.filePath == orphan.filePath)
        #expect(row.record.fileSize == 2)
        #expect(try index.study(studyInstanceUID: "1.2.3.1")?.numberOfInstances == 2)
        #expect(temporary.files(in: temporary.root.incomingDirectory).isEmpty)
        #expect(IndexFixtures.contents(of: orphan, in: temporary.root) == "bb")
    }

    /// Crash between commit and settle: indexed already, only the entry goes.
    @Test func settlesTheEntryOfAnIndexedObject() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let record = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root,
                                              journaled: true)
        _ = try index.insert([record])
        try IndexFixtures.crashWriters(in: temporary.root)

        let summary = try index.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(summary.settled == 1 && summary.reindexed == 0)
        #expect(try index.counts().instances == 1)
        #expect(temporary.files(in: temporary.root.incomingDirectory).isEmpty)
        #expect(IndexFixtures.contents(of: record, in: temporary.root) == "a")
    }

    @Test func dropsAPublishedCopyOfAnIndexedInstance() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: .overwrite),
                                     environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "acked", in: temporary.root)
        _ = try index.insert([indexed])
        let copy = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "never acked",
                                            in: temporary.root, journaled: true)
        try IndexFixtures.crashWriters(in: temporary.root)

        let summary = try index.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(summary.droppedDuplicates == 1 && summary.reindexed == 0)
        #expect(IndexFixtures.contents(of: copy, in: temporary.root) == nil)
        #expect(IndexFixtures.contents(of: indexed, in: temporary.root) == "acked")
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == indexed.filePath)
        #expect(temporary.files(in: temporary.root.incomingDirectory).isEmpty)
    }

    @Test func leavesAnEntryItCannotParse() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let record = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root,
                                              journaled: true)
        let entries = try IndexFixtures.crashWriters(in: temporary.root)
        struct NotDICOM: Error {}
        let summary = try index.recover { _ in throw NotDICOM() }
        #expect(summary.unreadable.map(\.relativePath) == entries.map { "incoming/" + $0 })
        #expect(temporary.files(in: temporary.root.incomingDirectory).count == 1)
        #expect(IndexFixtures.contents(of: record, in: temporary.root) == "a")
        #expect(try index.counts().instances == 0)
    }

    /// Recovery costs what was in flight: it neither lists `objects/` nor reads every row.
    /// Orphans and missing files are `checkConsistency`'s (`clusterctl fsck`).
    @Test func leavesTheRestOfTheArchiveToTheConsistencyCheck() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let lost = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([lost])
        try FileManager.default.removeItem(at: temporary.root.url(relativePath: lost.filePath))
        _ = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.2"), contents: "b", in: temporary.root)
        let live = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.3"), contents: "c", in: temporary.root,
                                            journaled: true)

        let summary = try index.recover(parse: Self.noParse)
        #expect(summary == RecoverySummary())
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince == nil)
        #expect(try index.counts().instances == 1)
        #expect(IndexFixtures.contents(of: live, in: temporary.root) == "c")
    }

    @Test func aNewCopyReplacesAnInstanceWhoseFileIsMissing() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let lost = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([lost])
        try FileManager.default.removeItem(at: temporary.root.url(relativePath: lost.filePath))
        _ = try index.checkConsistency(repair: true, parse: Self.noParse)

        let resent = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "again", in: temporary.root)
        #expect(try index.insert([resent]) == [.overwritten])
        let row = try #require(try index.instance(sopInstanceUID: "1.2.3.1.1.1"))
        #expect(row.missingSince == nil)
        #expect(IndexFixtures.contents(of: row.record, in: temporary.root) == "again")
    }
}
