import Foundation
import Testing
@testable import TandemArchive

/// `clusterctl fsck`: the whole archive against the whole index, reported, and repaired on request.
@Suite struct ConsistencyCheckTests {
    private static let noParse: @Sendable (URL) throws -> InstanceRecord = { url in
        Issue.record("unexpected parse of \(url)")
        throw CancellationError()
    }

    @Test func findsAndRepairsAnOrphanFile() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([indexed])
        // A file no row points at and no journal entry settles (say, copied in by hand).
        let orphan = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.2"), contents: "bb", in: temporary.root)

        let found = try index.checkConsistency(repair: false, pageSize: 1, parse: Self.noParse)
        #expect(found.orphans == [orphan.filePath])
        #expect(found.filesChecked == 2 && found.rowsChecked == 1 && !found.isConsistent)
        #expect(try index.counts().instances == 1)

        let repaired = try index.checkConsistency(repair: true) { _ in IndexFixtures.record(sop: "1.2.3.1.1.2") }
        #expect(repaired.orphans == [orphan.filePath] && repaired.reindexed == 1)
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.2")?.record.filePath == orphan.filePath)
        #expect(try index.checkConsistency(repair: false, parse: Self.noParse).isConsistent)
    }

    /// An overwrite interrupted after its commit leaves the old file: a copy of an instance
    /// indexed elsewhere, which the repair removes.
    @Test func removesAnOrphanCopyOfAnIndexedInstance() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "new", in: temporary.root)
        _ = try index.insert([indexed])
        let old = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "old", in: temporary.root)

        let repaired = try index.checkConsistency(repair: true) { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(repaired.droppedDuplicates == 1 && repaired.reindexed == 0)
        #expect(IndexFixtures.contents(of: old, in: temporary.root) == nil)
        #expect(IndexFixtures.contents(of: indexed, in: temporary.root) == "new")
    }

    @Test func findsAndMarksARowWithoutFile() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let record = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([record])
        let file = temporary.root.url(relativePath: record.filePath)
        let aside = temporary.root.url.appendingPathComponent("aside.dcm")
        try FileManager.default.moveItem(at: file, to: aside)

        let found = try index.checkConsistency(repair: false, parse: Self.noParse)
        #expect(found.missing == [MissingObject(sopInstanceUID: "1.2.3.1.1.1", relativePath: record.filePath)])
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince == nil)

        let repaired = try index.checkConsistency(repair: true, parse: Self.noParse)
        #expect(repaired.markedMissing == 1)
        #expect(try index.counts().missingInstances == 1)
        #expect(try index.checkConsistency(repair: true, parse: Self.noParse).markedMissing == 0)

        try FileManager.default.moveItem(at: aside, to: file)
        let back = try index.checkConsistency(repair: true, parse: Self.noParse)
        #expect(back.reappeared == 1 && back.missing.isEmpty)
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince == nil)
        #expect(try index.checkConsistency(repair: false, parse: Self.noParse).isConsistent)
    }

    /// A receiver between link and commit: its object is in flight, not an orphan.
    @Test func leavesJournaledObjectsAlone() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let inFlight = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root,
                                                journaled: true)
        let report = try index.checkConsistency(repair: true, parse: Self.noParse)
        #expect(report.inFlight == 1 && report.orphans.isEmpty && report.isConsistent)
        #expect(try index.counts().instances == 0)
        #expect(IndexFixtures.contents(of: inFlight, in: temporary.root) == "a")
    }

    @Test func leavesAnUnreadableOrphanInPlace() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let stray = temporary.root.objectsDirectory.appendingPathComponent("notes.txt")
        #expect(FileManager.default.createFile(atPath: stray.path, contents: Data("x".utf8)))
        struct NotDICOM: Error {}
        let report = try index.checkConsistency(repair: true) { _ in throw NotDICOM() }
        #expect(report.orphans == ["objects/notes.txt"])
        #expect(report.unreadable.map(\.relativePath) == ["objects/notes.txt"])
        #expect(FileManager.default.fileExists(atPath: stray.path))
    }
}
