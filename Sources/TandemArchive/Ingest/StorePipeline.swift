import DICOMCore
import Foundation
import Logging

/// What is announced about the instance that follows — by a C-STORE request (PS3.7 §9.1.1.1)
/// and its association, or by a STOW-RS part: its SOP class and instance, the transfer syntax
/// its data set is encoded in, and who sent it to whom (AE titles).
public struct StoreRequest: Sendable, Equatable {
    public var sopClassUID: String
    /// Untrusted until validated (a C-STORE's Affected SOP Instance UID).
    public var sopInstanceUID: String
    public var transferSyntax: TransferSyntax
    public var callingAE: String
    public var calledAE: String
    /// The study the instance must belong to, when the request names one (STOW-RS to
    /// `/studies/{study}`); an instance of another study is refused.
    public var studyInstanceUID: String?

    public init(sopClassUID: String, sopInstanceUID: String, transferSyntax: TransferSyntax,
                callingAE: String, calledAE: String, studyInstanceUID: String? = nil) {
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntax = transferSyntax
        self.callingAE = callingAE
        self.calledAE = calledAE
        self.studyInstanceUID = studyInstanceUID
    }
}

/// The archive's ingest (docs/design.md, "Durability"), independent of any network: `begin` a
/// reception per instance, feed it the data set fragments as they arrive, and `finish` it for
/// the outcome to answer. `.stored` is only ever returned after the file is fsynced, linked into
/// place with its directory fsynced, and its index row committed through the group committer
/// under this process's epoch.
public final class StorePipeline: Sendable {
    public let root: DataRoot
    public let index: ArchiveIndex
    public let storage: StorageSettings
    let committer: GroupCommitter
    let logger: Logger
    /// Where the milliseconds of every stored instance went (`dcmrecv --phase-stats`).
    public let phaseStatistics = IngestPhaseStatistics()
    /// Temp files created ahead of the receptions (none unless asked for).
    let spares: SpareWriters

    /// `spareFiles`: how many temp files to keep created ahead of receptions (`SpareWriters`);
    /// a receiver that does so calls `discardSpareFiles()` when it stops.
    public init(index: ArchiveIndex, storage: StorageSettings, spareFiles: Int = 0,
                logger: Logger = Logger(label: "tandem.ingest")) {
        self.root = index.root
        self.index = index
        self.storage = storage
        self.committer = GroupCommitter(index: index)
        self.spares = SpareWriters(root: index.root, capacity: spareFiles)
        self.logger = logger
    }

    /// What a DICOM receiver keeps ready: one for each of a few concurrent associations.
    public static let receiverSpareFiles = 4

    /// Removes the spare temp files and makes no more; receptions still create their own.
    public func discardSpareFiles() {
        spares.discardAll()
    }

    /// Starts receiving one instance: validates the affected SOP Instance UID, opens a temp file
    /// in `incoming/` and writes the Part 10 meta header there. A refusal (bad UID, too little
    /// free space) is carried by the reception, which then ignores the fragments it is fed.
    public func begin(_ request: StoreRequest) -> InstanceReception {
        let began = ContinuousClock.now
        do {
            _ = try ValidatedUID(request.sopInstanceUID)
        } catch {
            return InstanceReception(pipeline: self, request: request,
                                     refusal: StoreResult(.invalidSOPInstanceUID, reason: error.description))
        }
        do {
            let writer = try spares.take(minFreeBytes: storage.minFreeBytes)
            let meta = try DataSet.fileMetaInformation(
                sopClassUID: request.sopClassUID, sopInstanceUID: request.sopInstanceUID,
                transferSyntax: request.transferSyntax, sourceApplicationEntityTitle: request.callingAE)
            let header = try DICOMFile.metaHeader(meta)
            try writer.append(header)
            let arriving = ArrivingDataSet(transferSyntax: request.transferSyntax, startOffset: header.count,
                                           options: IndexAttributes.readOptions)
            return InstanceReception(pipeline: self, request: request, writer: writer,
                                     arriving: ArrivingFile(fileMetaInformation: meta, dataSet: arriving), began: began)
        } catch {
            return InstanceReception(pipeline: self, request: request, refusal: Self.result(for: error))
        }
    }

    /// The outcome of a storage error: everything local is "out of resources" (retry later).
    static func result(for error: any Error, bytes: Int64 = 0) -> StoreResult {
        StoreResult(.outOfResources, reason: "\(error)", bytes: bytes)
    }
}

/// One instance being received. Used by one task at a time: the association's service loop
/// feeds it, then finishes it or hands it to the task that does.
public final class InstanceReception: @unchecked Sendable {
    public let request: StoreRequest
    private let pipeline: StorePipeline
    private var writer: DurableObjectWriter?
    private var refusal: StoreResult?
    /// The data set as it arrives, so that it need not be read back from the file.
    private var arriving: ArrivingFile?
    private let headerLength: Int64
    private var timings = IngestTimings()
    /// When the temp file was ready for the first fragment.
    private let receivingSince: ContinuousClock.Instant

    init(pipeline: StorePipeline, request: StoreRequest, writer: DurableObjectWriter? = nil,
         arriving: ArrivingFile? = nil, began: ContinuousClock.Instant = .now, refusal: StoreResult? = nil) {
        self.pipeline = pipeline
        self.request = request
        self.writer = writer
        self.arriving = arriving
        self.headerLength = Int64(arriving?.dataSet.startOffset ?? 0)
        self.refusal = refusal
        self.receivingSince = ContinuousClock.now
        timings[.open] = receivingSince - began
    }

    /// Data set bytes received so far.
    public var bytesReceived: Int64 {
        max((writer?.bytesWritten ?? 0) - headerLength, 0)
    }

    /// Appends one fragment of the data set, exactly as received in the accepted transfer syntax.
    /// A full disk turns the reception into an out-of-resources refusal and removes the temp file at once.
    public func append(_ fragment: some ContiguousBytes) {
        guard let writer, refusal == nil else { return }
        let writing = ContinuousClock.now
        defer { timings.add(ContinuousClock.now - writing, to: .write) }
        do {
            try writer.append(fragment)
            fragment.withUnsafeBytes { arriving?.dataSet.append($0) }
        } catch {
            refusal = StorePipeline.result(for: error, bytes: bytesReceived)
            self.writer = nil
        }
    }

    /// Drops the instance: the association was aborted mid-data set. Nothing stays behind.
    public func abandon() {
        writer?.discard()
        writer = nil
        arriving = nil
    }

    /// Verifies, publishes, flushes and indexes the complete instance; returns the outcome to
    /// answer. The file flush and the index commit run at the same time; the answer waits for both.
    /// Throws only `FencedError`: the process must stop acting (docs/design.md, "Cluster model").
    /// A stored instance's phases go to the pipeline's `phaseStatistics`.
    public func finish() async throws(FencedError) -> StoreResult {
        timings[.receive] = ContinuousClock.now - receivingSince - (timings[.write] ?? .zero)
        if let refusal { return refusal }
        guard let writer, let arriving else { return StoreResult(.outOfResources, reason: "reception already finished") }
        let bytes = bytesReceived
        self.writer = nil
        self.arriving = nil
        guard bytes > 0 else {
            writer.discard()
            return StoreResult(.unreadable, reason: "empty data set")
        }
        let request = self.request
        let committer = pipeline.committer
        let statistics = pipeline.phaseStatistics
        let submitted = ContinuousClock.now
        let prepared: Prepared
        (prepared, timings) = await BlockingWork.run { [timings] in
            var timings = timings
            timings[.handoff] = ContinuousClock.now - submitted
            return (Self.publishAndFlush(writer, arriving: arriving, request: request, bytes: bytes, committer: committer,
                                         statistics: statistics, timings: &timings), timings)
        }
        switch prepared {
        case .refused(let result):
            return result
        case let .published(record, commit, flushFailure, noteClearing):
            let waiting = ContinuousClock.now
            let committed = await commit.result
            timings[.indexCommit] = ContinuousClock.now - waiting
            if case .fenced(let fenced) = noteClearing { throw fenced }
            let result = try await settle(record, committed: committed, flushFailure: flushFailure,
                                          noteCleared: noteClearing.isCleared, journaledBy: writer, bytes: bytes)
            if result.isStored { pipeline.phaseStatistics.record(timings) }
            return result
        }
    }

    enum Prepared: Sendable {
        /// Linked under `objects/`, its row committing in `commit`, its flush done (or failed).
        case published(InstanceRecord, commit: Task<CommittedInsert, any Error>, flushFailure: (any Error)?,
                       noteClearing: NoteClearing)
        case refused(StoreResult)
    }

    /// What the flushing thread did with the row's note.
    enum NoteClearing: Sendable {
        /// Nothing: the commit had not ended when the flush did (or the clearing failed).
        case none
        case cleared
        case fenced(FencedError)

        var isCleared: Bool {
            if case .cleared = self { return true }
            return false
        }
    }

    /// One trip to a blocking thread: verify the data set, publish the file, start its index
    /// commit and flush the file meanwhile; or discard it when refused.
    static func publishAndFlush(_ writer: DurableObjectWriter, arriving: ArrivingFile, request: StoreRequest,
                                bytes: Int64, committer: GroupCommitter, statistics: IngestPhaseStatistics,
                                timings: inout IngestTimings) -> Prepared {
        let parsing = ContinuousClock.now
        let verdict = verify(arriving, orFileAtPath: writer.temporaryPath, request: request) {
            statistics.countReadBack()
        }
        timings[.parse] = ContinuousClock.now - parsing
        switch verdict {
        case let .refused(outcome, reason):
            writer.discard()
            return .refused(StoreResult(outcome, reason: reason, bytes: bytes))
        case let .accepted(prepared, location):
            var record = prepared
            do {
                let object = try writer.publish(to: location, timings: &timings)
                record.filePath = object.relativePath
                record.fileSize = object.size
            } catch {
                // Before the link the writer removed its temp file; after it, recovery settles the entry.
                return .refused(StorePipeline.result(for: error, bytes: bytes))
            }
            let journalEntry = writer.journalEntry
            let fileFlush = FileFlush()
            let commit = Task { [record] in
                try await committer.insert(record, flush: fileFlush, unflushedJournalEntry: journalEntry)
            }
            do {
                try writer.flush(timings: &timings)
            } catch {
                return .published(record, commit: commit, flushFailure: error, noteClearing: .none)
            }
            guard fileFlush.ended() else { return .published(record, commit: commit, flushFailure: nil, noteClearing: .none) }
            // The row was committed first: clear its note here, without another trip through the committer.
            let clearing = ContinuousClock.now
            defer { timings[.noteClear] = ContinuousClock.now - clearing }
            do {
                try committer.index.clearUnflushedNotesNow([record.filePath])
                return .published(record, commit: commit, flushFailure: nil, noteClearing: .cleared)
            } catch let fenced as FencedError {
                return .published(record, commit: commit, flushFailure: nil, noteClearing: .fenced(fenced))
            } catch {
                // The index is unavailable for now: the committer's path tries again.
                return .published(record, commit: commit, flushFailure: nil, noteClearing: .none)
            }
        }
    }

    enum Verdict: Sendable {
        case accepted(InstanceRecord, ObjectLocation)
        case refused(IngestOutcome, String)
    }

    /// Reads the data set (structure only, bulk values skipped) from what was kept of it as it
    /// arrived, or else from the written file (`readingBack` is called then), and checks that it
    /// is the instance announced (for C-STORE, PS3.4 §B.2.3: A9xx when it does not match).
    static func verify(_ arriving: ArrivingFile, orFileAtPath path: String, request: StoreRequest,
                       readingBack: () -> Void) -> Verdict {
        do {
            let file: DICOMFile
            if let arrived = try IndexAttributes.read(arriving) {
                file = arrived
            } else {
                readingBack()
                file = try IndexAttributes.readFile(atPath: path)
            }
            let dataSetClass = file.dataSet.string(.sopClassUID) ?? ""
            let dataSetInstance = file.dataSet.string(.sopInstanceUID) ?? ""
            guard dataSetClass == request.sopClassUID else {
                return .refused(.doesNotMatchAnnouncement, "SOP Class UID \(dataSetClass) is not the one announced")
            }
            guard dataSetInstance == request.sopInstanceUID else {
                return .refused(.doesNotMatchAnnouncement, "SOP Instance UID \(dataSetInstance) is not the one announced")
            }
            if let study = request.studyInstanceUID, let dataSetStudy = file.dataSet.string(.studyInstanceUID), dataSetStudy != study {
                return .refused(.doesNotMatchAnnouncement, "Study Instance UID \(dataSetStudy) is not the study \(study) of the request")
            }
            let (record, location) = try IndexAttributes.record(of: file, callingAE: request.callingAE,
                                                                calledAE: request.calledAE)
            return .accepted(record, location)
        } catch IndexAttributes.Failure.unreadable(let reason) {
            return .refused(.unreadable, reason)
        } catch {
            return .refused(.doesNotMatchAnnouncement, "\(error)")
        }
    }

    /// Settles an instance whose row was committing while its file was flushed. A failed commit
    /// removes the file again under the fence, so nothing unacknowledged stays archived; a failed
    /// flush undoes the committed row the same way. A fenced process leaves object and entry
    /// alone: the new active node's recovery may already have indexed it, and removing it would
    /// leave a row without its file.
    private func settle(_ record: InstanceRecord, committed: Result<CommittedInsert, any Error>,
                        flushFailure: (any Error)?, noteCleared: Bool, journaledBy writer: DurableObjectWriter,
                        bytes: Int64) async throws(FencedError) -> StoreResult {
        let index = pipeline.index
        let inserted: CommittedInsert
        switch committed {
        case .success(let value):
            inserted = value
        case .failure(let error):
            if let fenced = error as? FencedError { throw fenced }
            // Fenced meanwhile, or the index unavailable: object and entry stay for recovery to settle.
            if (try? await index.discardUnindexedObject(record.filePath)) != nil { writer.settle() }
            if let invalid = error as? IndexError {
                return StoreResult(.doesNotMatchAnnouncement, reason: invalid.description, bytes: bytes)
            }
            return StorePipeline.result(for: error, bytes: bytes)
        }
        switch inserted.outcome {
        case .rejected:
            writer.settle()
            return StoreResult(.duplicateRejected, reason: "already archived (duplicate_policy reject)", bytes: bytes)
        case .duplicateKept:
            writer.settle()
            if let kept = inserted.unflushedKeptPath {
                do {
                    try await BlockingWork.run { try DurableFileSystem.syncLinkedFile(index.root.url(relativePath: kept).path) }
                } catch {
                    return StorePipeline.result(for: error, bytes: bytes)
                }
            }
            return StoreResult(.stored, bytes: bytes)
        case .stored, .overwritten:
            if let flushFailure {
                do {
                    let filePath = record.filePath
                    try await BlockingWork.run {
                        try index.rollBackUnflushed(filePath, parse: IndexAttributes.recoveredRecord(fileAt:))
                    }
                    writer.settle()
                } catch let fenced as FencedError {
                    throw fenced
                } catch {
                    // Left to recovery, which finds the note and the journal entry.
                }
                return StorePipeline.result(for: flushFailure, bytes: bytes)
            }
            if let replaced = inserted.replacedPath { index.removeFiles([replaced]) }
            // Before the response: whoever was answered finds the instance at once.
            if !inserted.noted {
                timings[.noteClear] = .zero  // committed after its file's flush: nothing to clear
            } else if !noteCleared {
                let clearing = ContinuousClock.now
                try await pipeline.committer.confirmFlushed(record.filePath)
                timings[.noteClear] = ContinuousClock.now - clearing
            }
            writer.settle()
            return StoreResult(.stored, bytes: bytes)
        }
    }
}
