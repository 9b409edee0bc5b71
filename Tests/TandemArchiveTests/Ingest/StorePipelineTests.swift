import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

@Suite("Store pipeline")
struct StorePipelineTests {
    @Test("stores each uncompressed syntax, fed in odd fragment sizes, byte for byte and indexed",
          arguments: [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian,
                      .deflatedExplicitVRLittleEndian])
    func storesFragmentedInstance(syntax: TransferSyntax) async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make(syntax: syntax, patientName: "Müller^Jürgen")[0]

        let result = try await sent.store(with: pipeline, fragmentSizes: [1, 7, 4093, 3, 65_536])

        #expect(result.outcome == .stored)
        #expect(result.bytes == Int64(sent.dataSet.count))
        let indexed = try #require(try pipeline.index.instance(sopInstanceUID: sent.sopInstanceUID))
        #expect(indexed.record.transferSyntaxUID == syntax.uid)
        let stored = try DICOMFile(path: scratch.root.url(relativePath: indexed.record.filePath).path, options: .headerOnly)
        let storedBytes = try [UInt8](Data(contentsOf: scratch.root.url(relativePath: indexed.record.filePath)))
        #expect(Array(storedBytes[stored.dataSetOffset...]) == sent.dataSet)
        #expect(stored.mediaStorageSOPInstanceUID == sent.sopInstanceUID)
        #expect(stored.sourceApplicationEntityTitle == "MODALITY1")
        let study = try #require(try pipeline.index.study(studyInstanceUID: sent.studyInstanceUID))
        #expect(study.patientName == "Müller^Jürgen")
        #expect(scratch.files(under: "incoming").isEmpty)
        // Read as it arrived, not from the written file; a deflated data set only through its inflater.
        #expect(pipeline.phaseStatistics.readBackCount == (syntax.isDeflated ? 1 : 0))
    }

    @Test("what a stored instance's study is found by, C-FIND and QIDO-RS find it by")
    func storedStudyIsFoundByItsQueryKeys() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make(patientName: "Müller^Jürgen")[0]
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        let request = try QueryRequest(model: .studyRoot, level: .study, keys: [
            QueryKey(.patientName, "MÜLLER*"), QueryKey(.studyID), QueryKey(.sopClassesInStudy),
        ], options: QueryOptions(caseInsensitiveNames: true))
        let match = try #require(try await pipeline.index.find(request).matches.first)
        #expect(match.string(.studyInstanceUID) == sent.studyInstanceUID)
        #expect(match.string(.studyID) == "1")
        #expect(match[.sopClassesInStudy]?.values.count == 1)
    }

    @Test("keep-first: a second copy is stored and leaves one file")
    func keepFirstDuplicate() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make()[0]
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        #expect(scratch.files(under: "objects").count == 1)
        #expect(try pipeline.index.counts().instances == 1)
    }

    @Test("reject: a second copy is rejected as a duplicate and changes nothing")
    func rejectDuplicate() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline(StorageSettings(duplicatePolicy: .reject, minFreeBytes: 0))
        let sent = try SentInstance.make()[0]
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        let before = scratch.files(under: "objects")
        let second = try await sent.store(with: pipeline)
        #expect(second.outcome == .duplicateRejected)
        #expect(scratch.files(under: "objects") == before)
        #expect(scratch.files(under: "incoming").isEmpty)
    }

    @Test("overwrite: a second copy replaces the first")
    func overwriteDuplicate() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline(StorageSettings(duplicatePolicy: .overwrite, minFreeBytes: 0))
        let sent = try SentInstance.make()[0]
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        let first = try #require(try pipeline.index.instance(sopInstanceUID: sent.sopInstanceUID)).record.filePath
        #expect(try await sent.store(with: pipeline).outcome == .stored)
        let second = try #require(try pipeline.index.instance(sopInstanceUID: sent.sopInstanceUID)).record.filePath
        #expect(first != second)
        #expect(scratch.files(under: "objects") == [second])
    }

    @Test("a data set of another SOP class or instance than the command is refused as not matching the announcement")
    func mismatchedDataSet() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make()[0]
        let otherClass = try await sent.store(with: pipeline, request: sent.request(sopClassUID: "1.2.840.10008.5.1.4.1.1.4"))
        #expect(otherClass.outcome == .doesNotMatchAnnouncement)
        let otherInstance = try await sent.store(with: pipeline, request: sent.request(sopInstanceUID: "1.2.3.4"))
        #expect(otherInstance.outcome == .doesNotMatchAnnouncement)
        #expect(scratch.files(under: "objects").isEmpty)
        #expect(scratch.files(under: "incoming").isEmpty)
        #expect(try pipeline.index.counts().instances == 0)
    }

    /// The note of the flushed file is cleared before the answer: whoever was answered finds it.
    @Test("a stored instance is found at the image level as soon as it is answered, with no note left")
    func storedInstanceIsVisibleWhenAnswered() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make()[0]
        #expect(try await sent.store(with: pipeline, fragmentSizes: [4093]).isStored)
        let request = try QueryRequest(model: .studyRoot, level: .image, keys: [QueryKey(.sopInstanceUID, sent.sopInstanceUID)])
        #expect(try await pipeline.index.find(request).matches.count == 1)
        #expect(try pipeline.index.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM unflushed_object") } == 0)
    }

    @Test("each stored instance is timed in every phase the pipeline runs; a refused one is not counted")
    func phasesOfStoredInstances() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make(count: 2)
        for instance in sent { #expect(try await instance.store(with: pipeline, fragmentSizes: [100, 4093]).isStored) }
        #expect(try await sent[0].store(with: pipeline, request: sent[0].request(sopInstanceUID: "1.2.3.4")).outcome
            == .doesNotMatchAnnouncement)
        let summaries = pipeline.phaseStatistics.summaries()
        #expect(summaries.map(\.phase) == [.receive, .open, .write, .handoff, .parse, .fileFlush,
                                           .linkAndDirectoryFlush, .indexCommit, .noteClear])
        #expect(summaries.allSatisfy { $0.count == 2 && $0.p50 <= $0.p90 })
    }

    @Test("hostile affected SOP Instance UIDs are refused before anything is written",
          arguments: ["../../etc/x", "/etc/passwd", "1.2.abc", "", "1..2", String(repeating: "1", count: 65)])
    func hostileUID(uid: String) async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make()[0]
        let parentBefore = try FileManager.default.contentsOfDirectory(atPath: scratch.root.url.deletingLastPathComponent().path)
        let result = try await sent.store(with: pipeline, request: sent.request(sopInstanceUID: uid))
        #expect(result.outcome == .invalidSOPInstanceUID)
        #expect(scratch.files(under: "objects").isEmpty)
        #expect(scratch.files(under: "incoming").isEmpty)
        let parentAfter = try FileManager.default.contentsOfDirectory(atPath: scratch.root.url.deletingLastPathComponent().path)
        #expect(Set(parentAfter).subtracting(parentBefore).isEmpty)
    }

    @Test("a truncated data set is refused as unreadable and leaves nothing")
    func truncatedDataSet() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        var sent = try SentInstance.make()[0]
        sent.dataSet.removeLast(1000)
        let result = try await sent.store(with: pipeline)
        #expect(result.outcome == .unreadable)
        #expect(pipeline.phaseStatistics.readBackCount == 1)
        #expect(scratch.files(under: "objects").isEmpty)
        #expect(scratch.files(under: "incoming").isEmpty)
    }

    @Test("an empty data set is refused as unreadable")
    func emptyDataSet() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        var sent = try SentInstance.make()[0]
        sent.dataSet = []
        #expect(try await sent.store(with: pipeline).outcome == .unreadable)
        #expect(scratch.files(under: "incoming").isEmpty)
    }

    @Test("an instance abandoned mid-data set leaves no file and no index row")
    func abandonedInstance() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline()
        let sent = try SentInstance.make()[0]
        let reception = pipeline.begin(sent.request())
        sent.feed(reception, fragmentSizes: [1000], upTo: sent.dataSet.count / 2)
        #expect(scratch.files(under: "incoming").count == 1)
        reception.abandon()
        #expect(scratch.files(under: "incoming").isEmpty)
        #expect(scratch.files(under: "objects").isEmpty)
        #expect(try pipeline.index.counts().instances == 0)
    }

    @Test("below min_free_bytes: out of resources with nothing written; accepted again once the threshold is met")
    func outOfResources() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let sent = try SentInstance.make(count: 2)
        let starved = try scratch.pipeline(StorageSettings(minFreeBytes: .max))
        #expect(try await sent[0].store(with: starved).outcome == .outOfResources)
        #expect(scratch.files(under: "incoming").isEmpty)
        #expect(scratch.files(under: "objects").isEmpty)
        let relieved = try scratch.pipeline(StorageSettings(minFreeBytes: 0))
        #expect(try await sent[1].store(with: relieved).outcome == .stored)
    }

    /// The new active node's recovery may already have indexed the object: removing it would
    /// leave that row without its file.
    @Test("a fenced process refuses: FencedError, nothing indexed by it, the linked object left alone")
    func fencedEpoch() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try scratch.pipeline(epoch: 1)
        let sent = try SentInstance.make()[0]
        let other = try ArchiveIndex(root: scratch.root, epoch: 1, environment: [:])
        try other.promote(node: "other-node")
        await #expect(throws: FencedError.self) { try await sent.store(with: pipeline) }
        #expect(try pipeline.index.counts().instances == 0)
        #expect(scratch.files(under: "objects").count == 1)
        #expect(scratch.files(under: "incoming").count == 1)  // its journal entry, for the new node to settle
    }

    @Test("start-up recovery indexes a committed object that has no row, with the DICOM parser")
    func recoveryReindexes() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let sent = try SentInstance.make(patientName: "Ōta^Ken")[0]
        let file = try DICOMFile.metaHeader(sopClassUID: sent.sopClassUID, sopInstanceUID: sent.sopInstanceUID,
                                            transferSyntax: sent.transferSyntax, sourceApplicationEntityTitle: "SITE1")
            + sent.dataSet
        let writer = try DurableObjectWriter(root: scratch.root, minFreeBytes: 0)
        try writer.append(file)
        let headerOnly = try DICOMFile(bytes: file, options: .headerOnly).dataSet
        _ = try writer.commit(to: ObjectLocation(studyUID: sent.studyInstanceUID,
                                                 seriesUID: headerOnly.string(.seriesInstanceUID) ?? "",
                                                 sopInstanceUID: sent.sopInstanceUID))
        // The process dies before indexing: its journal entry is a dead writer's.
        let crashed = scratch.root.incomingDirectory.appendingPathComponent("999999999.deadbeef.0.part")
        try FileManager.default.moveItem(at: writer.temporaryURL, to: crashed)
        let pipeline = try scratch.pipeline()
        let indexed = try #require(try pipeline.index.instance(sopInstanceUID: sent.sopInstanceUID))
        #expect(indexed.record.callingAE == "SITE1")
        #expect(try pipeline.index.study(studyInstanceUID: sent.studyInstanceUID)?.patientName == "Ōta^Ken")
        #expect(scratch.files(under: "incoming").isEmpty)
    }
}
