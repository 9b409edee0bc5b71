import Foundation
import Testing
@testable import TandemArchive

@Suite struct StartupRecoveryTests {
    /// A pid that certainly belongs to no running process: one that has just exited.
    private func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    private func touch(_ url: URL) {
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("x".utf8)))
    }

    @Test func removesLeftoversOfDeadWritersOnly() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let incoming = temporary.root.incomingDirectory
        touch(incoming.appendingPathComponent("\(try deadProcessID()).abcd1234.\(UUID().uuidString).part"))
        touch(incoming.appendingPathComponent("\(getpid()).00000000.\(UUID().uuidString).part"))  // an earlier life of this pid
        touch(incoming.appendingPathComponent("junk"))
        let live = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        try live.append(Data("in flight".utf8))

        #expect(try index.removeIncomingLeftovers() == 3)
        #expect(temporary.files(in: incoming) == ["incoming/" + live.temporaryURL.lastPathComponent])
        live.discard()
    }

    @Test func reindexesCompleteObjectsWithoutRows() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([indexed])
        // Crash between rename and commit: the file is in place, the row is not.
        let orphan = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.2"), contents: "bb", in: temporary.root)

        var parsed: [URL] = []
        let summary = try index.recover { url in
            parsed.append(url)
            var record = IndexFixtures.record(sop: "1.2.3.1.1.2")
            record.filePath = "objects/somewhere/else.dcm"
            return record
        }
        #expect(parsed == [temporary.root.url(relativePath: orphan.filePath)])
        #expect(summary.reindexed == 1)
        let row = try #require(try index.instance(sopInstanceUID: "1.2.3.1.1.2"))
        #expect(row.record.filePath == orphan.filePath)
        #expect(row.record.fileSize == 2)
        #expect(try index.study(studyInstanceUID: "1.2.3.1")?.numberOfInstances == 2)
    }

    @Test func dropsUnindexedCopiesOfIndexedInstances() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: .overwrite),
                                     environment: [:])
        let indexed = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "acked", in: temporary.root)
        _ = try index.insert([indexed])
        let copy = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "never acked", in: temporary.root)

        let summary = try index.recover { _ in IndexFixtures.record(sop: "1.2.3.1.1.1") }
        #expect(summary.droppedDuplicates == 1)
        #expect(summary.reindexed == 0)
        #expect(IndexFixtures.contents(of: copy, in: temporary.root) == nil)
        #expect(IndexFixtures.contents(of: indexed, in: temporary.root) == "acked")
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == indexed.filePath)
    }

    @Test func reportsUnreadableFilesAndLeavesThem() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let stray = temporary.root.objectsDirectory.appendingPathComponent("notes.txt")
        touch(stray)
        struct NotDICOM: Error {}
        let summary = try index.recover { _ in throw NotDICOM() }
        #expect(summary.unreadable.map(\.relativePath) == ["objects/notes.txt"])
        #expect(FileManager.default.fileExists(atPath: stray.path))
        #expect(try index.counts().instances == 0)
    }

    @Test func marksMissingFilesAndNoticesTheirReturn() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let record = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([record])
        let file = temporary.root.url(relativePath: record.filePath)
        let aside = temporary.root.url.appendingPathComponent("aside.dcm")
        try FileManager.default.moveItem(at: file, to: aside)
        let noParse: (URL) throws -> InstanceRecord = { url in Issue.record("unexpected parse of \(url)"); throw CancellationError() }

        let first = try index.recover(parse: noParse)
        #expect(first.newlyMissing == ["1.2.3.1.1.1"])
        #expect(first.missing == 1)
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince != nil)
        #expect(try index.counts().missingInstances == 1)

        let second = try index.recover(parse: noParse)
        #expect(second.newlyMissing.isEmpty)
        #expect(second.missing == 1)

        try FileManager.default.moveItem(at: aside, to: file)
        let third = try index.recover(parse: noParse)
        #expect(third.reappeared == 1)
        #expect(third.missing == 0)
        #expect(try index.instance(sopInstanceUID: "1.2.3.1.1.1")?.missingSince == nil)
    }

    @Test func aNewCopyReplacesAnInstanceWhoseFileIsMissing() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let lost = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "a", in: temporary.root)
        _ = try index.insert([lost])
        try FileManager.default.removeItem(at: temporary.root.url(relativePath: lost.filePath))
        _ = try index.recover { _ in throw CancellationError() }

        let resent = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "again", in: temporary.root)
        #expect(try index.insert([resent]) == [.overwritten])
        let row = try #require(try index.instance(sopInstanceUID: "1.2.3.1.1.1"))
        #expect(row.missingSince == nil)
        #expect(IndexFixtures.contents(of: row.record, in: temporary.root) == "again")
    }
}
