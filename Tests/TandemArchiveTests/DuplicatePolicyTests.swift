import Foundation
import Testing
@testable import TandemArchive

@Suite struct DuplicatePolicyTests {
    private struct Archive {
        let temporary: TemporaryRoot
        let index: ArchiveIndex
        let first: InstanceRecord

        init(policy: DuplicatePolicy) throws {
            temporary = try TemporaryRoot()
            index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: policy),
                                     environment: [:])
            first = try IndexFixtures.stored(IndexFixtures.record(sop: "1.2.3.1.1.1"), contents: "first",
                                             in: temporary.root)
            #expect(try index.insert([first]) == [.stored])
        }

        func secondCopy(series: String = "1.2.3.1.1") throws -> InstanceRecord {
            try IndexFixtures.stored(IndexFixtures.record(series: series, sop: "1.2.3.1.1.1", modality: "PR"),
                                     contents: "second", in: temporary.root)
        }
    }

    @Test func keepFirstLeavesTheArchivedCopy() throws {
        let archive = try Archive(policy: .keepFirst)
        defer { archive.temporary.remove() }
        let second = try archive.secondCopy()
        #expect(try archive.index.insert([second]) == [.duplicateKept])
        #expect(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == archive.first.filePath)
        #expect(IndexFixtures.contents(of: archive.first, in: archive.temporary.root) == "first")
        #expect(IndexFixtures.contents(of: second, in: archive.temporary.root) == nil)
        #expect(try archive.index.counts().instances == 1)
    }

    @Test func overwriteReplacesRowAndRemovesOldFile() throws {
        let archive = try Archive(policy: .overwrite)
        defer { archive.temporary.remove() }
        let second = try archive.secondCopy(series: "1.2.3.1.9")
        #expect(try archive.index.insert([second]) == [.overwritten])
        let indexed = try #require(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1"))
        #expect(indexed.record.filePath == second.filePath)
        #expect(IndexFixtures.contents(of: second, in: archive.temporary.root) == "second")
        #expect(IndexFixtures.contents(of: archive.first, in: archive.temporary.root) == nil)
        // The instance moved series: the emptied series is gone and the study counts follow.
        #expect(try archive.index.series(seriesInstanceUID: "1.2.3.1.1") == nil)
        let study = try #require(try archive.index.study(studyInstanceUID: "1.2.3.1"))
        #expect(study.numberOfSeries == 1)
        #expect(study.numberOfInstances == 1)
        #expect(study.modalitiesInStudy == ["PR"])
        #expect(try archive.index.counts() == ArchiveCounts(patients: 1, studies: 1, series: 1, instances: 1,
                                                            missingInstances: 0))
    }

    @Test func rejectRefusesAndRemovesTheNewFile() throws {
        let archive = try Archive(policy: .reject)
        defer { archive.temporary.remove() }
        let second = try archive.secondCopy()
        #expect(try archive.index.insert([second]) == [.rejected])
        #expect(try archive.index.instance(sopInstanceUID: "1.2.3.1.1.1")?.record.filePath == archive.first.filePath)
        #expect(IndexFixtures.contents(of: second, in: archive.temporary.root) == nil)
        #expect(IndexFixtures.contents(of: archive.first, in: archive.temporary.root) == "first")
    }

    @Test func duplicatesWithinOneBatchFollowThePolicy() throws {
        let archive = try Archive(policy: .keepFirst)
        defer { archive.temporary.remove() }
        let copies = [try archive.secondCopy(), try archive.secondCopy()]
        #expect(try archive.index.insert(copies) == [.duplicateKept, .duplicateKept])
        #expect(TemporaryRoot.files(under: archive.temporary.root).filter { $0.hasPrefix("objects/") }
                == [archive.first.filePath])
    }
}
