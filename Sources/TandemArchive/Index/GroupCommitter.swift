import GRDB
import NIOConcurrencyHelpers

/// Batches concurrent single inserts into shared transactions: one commit (one fsync) for every
/// instance that arrived while the previous commit was running. A caller is resumed as soon as
/// the commit holding its record is durable, so no acknowledgement waits longer than the commit
/// in flight plus its own.
public actor GroupCommitter {
    let index: ArchiveIndex
    private let maximumBatch: Int
    private let busyRetryWindow: Duration
    private var pending: [Request] = []
    /// Files made durable, whose `unflushed_object` notes the next commit clears.
    private var flushedPaths: [String] = []
    /// Callers of `confirmFlushed` waiting for the commit that clears their notes.
    private var confirmations: [CheckedContinuation<FencedError?, Never>] = []
    private var flushing = false
    /// Commits and instances so far, for metrics: their ratio is the mean batch size.
    public private(set) var statistics = GroupCommitStatistics()
    /// Inserts in the commit in flight.
    private(set) var committingCount = 0
    /// Inserts waiting for the commit in flight to finish.
    var waitingCount: Int { pending.count }
    /// Durable files whose notes wait for the next commit.
    var confirmingCount: Int { confirmations.count }

    private struct Request {
        let record: InstanceRecord
        /// nil for a plain insert; for a received file, whether it is durable yet.
        let flush: FileFlush?
        let unflushedJournalEntry: String
        let continuation: CheckedContinuation<CommittedInsert, any Error>

        /// Taken when the transaction is formed: a file whose flush has ended by then needs no note.
        var kind: InsertKind {
            guard let flush else { return .plain }
            return .received(unflushedJournalEntry: flush.isDurable ? nil : unflushedJournalEntry)
        }
    }

    /// How a record is inserted: a plain insert, or a received file's (`CatalogueWriter`), noted
    /// as unflushed with its journal entry unless it is durable already.
    enum InsertKind {
        case plain
        case received(unflushedJournalEntry: String?)
    }

    /// - Parameters:
    ///   - maximumBatch: bounds a transaction's size, so a burst cannot make one commit slow.
    ///   - busyRetryWindow: how long a batch the database answers "busy" (another process holds
    ///     the write lock past the busy timeout) is tried again, whole, before its callers get
    ///     the error. Each try itself waits up to the index's busy timeout.
    public init(index: ArchiveIndex, maximumBatch: Int = 256, busyRetryWindow: Duration = .seconds(30)) {
        self.index = index
        self.maximumBatch = max(1, maximumBatch)
        self.busyRetryWindow = busyRetryWindow
    }

    /// Indexes `record` together with whatever else is waiting, and returns its outcome once committed.
    public func insert(_ record: InstanceRecord) async throws -> InsertOutcome {
        try await enqueue(record, flush: nil, unflushedJournalEntry: "").outcome
    }

    /// `insert` of a record whose file may still be being flushed (`flush`), by the writer whose
    /// journal entry in `incoming/` is named `journalEntry`. If the flush has not ended when the
    /// transaction is formed, the row is noted (`UnflushedObjectSchema`, `CommittedInsert.noted`):
    /// once the file is durable, the caller removes the returned replaced file, if any, and
    /// calls `confirmFlushed`. Otherwise the row is committed like any other, after its file.
    public func insert(_ record: InstanceRecord, flush: FileFlush,
                       unflushedJournalEntry journalEntry: String) async throws -> CommittedInsert {
        try await enqueue(record, flush: flush, unflushedJournalEntry: journalEntry)
    }

    /// The file at `filePath` is durable: returns once a commit has cleared its note, which
    /// makes its row visible to readers (`UnflushedObjectSchema.settled`). The note rides on the
    /// next batch of inserts; with none waiting it gets a commit of its own, not fsynced (losing
    /// it in a crash leaves recovery a complete file to confirm). On any failure but fencing the
    /// note stays for a later commit, and the file is durable all the same.
    public func confirmFlushed(_ filePath: String) async throws(FencedError) {
        let fenced = await withCheckedContinuation { continuation in
            flushedPaths.append(filePath)
            confirmations.append(continuation)
            startFlushing()
        }
        if let fenced { throw fenced }
    }

    private func enqueue(_ record: InstanceRecord, flush: FileFlush?,
                         unflushedJournalEntry: String) async throws -> CommittedInsert {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(record: record, flush: flush, unflushedJournalEntry: unflushedJournalEntry,
                                   continuation: continuation))
            startFlushing()
        }
    }

    private func startFlushing() {
        guard !flushing else { return }
        flushing = true
        Task { await flush() }
    }

    private func flush() async {
        while !pending.isEmpty || !confirmations.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            committingCount = batch.count
            if batch.isEmpty { await clearNotes() } else { await commit(batch) }
            committingCount = 0
        }
        flushing = false
    }

    /// A commit that only clears notes of durable files.
    private func clearNotes() async {
        let (flushed, waiting) = (flushedPaths, confirmations)
        (flushedPaths, confirmations) = ([], [])
        do {
            try await index.clearUnflushedNotes(flushed)
            statistics.noteClearings += 1
            for confirmation in waiting { confirmation.resume(returning: nil) }
        } catch let error as FencedError {
            for confirmation in waiting { confirmation.resume(returning: error) }
        } catch {
            flushedPaths += flushed
            for confirmation in waiting { confirmation.resume(returning: nil) }
        }
    }

    private func commit(_ batch: [Request]) async {
        let deadline = ContinuousClock.now + busyRetryWindow
        while true {
            let (flushed, waiting) = (flushedPaths, confirmations)
            (flushedPaths, confirmations) = ([], [])
            do {
                let outcomes = try await index.insert(batch.map { ($0.record, $0.kind) },
                                                      clearingNotesOf: flushed)
                statistics.commits += 1
                statistics.instances += batch.count
                for confirmation in waiting { confirmation.resume(returning: nil) }
                for (request, outcome) in zip(batch, outcomes) {
                    request.flush?.committed(outcome)
                    request.continuation.resume(returning: outcome)
                }
            } catch let error as FencedError {
                for confirmation in waiting { confirmation.resume(returning: error) }
                for request in batch { request.continuation.resume(throwing: error) }
            } catch let error as DatabaseError where error.isBusy {
                (flushedPaths, confirmations) = (flushed + flushedPaths, waiting + confirmations)
                // The lock is the whole database's, not one record's: splitting the batch would
                // make each record wait out the busy timeout in turn. Try the batch again, whole.
                if ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                for request in batch { request.continuation.resume(throwing: error) }
            } catch {
                (flushedPaths, confirmations) = (flushed + flushedPaths, waiting + confirmations)
                // One bad record must not fail its neighbours: retry each on its own.
                guard batch.count > 1 else {
                    batch[0].continuation.resume(throwing: error)
                    return
                }
                for request in batch { await commit([request]) }
            }
            return
        }
    }
}

extension DatabaseError {
    /// Another connection holds the lock this one needs (after the busy timeout ran out).
    var isBusy: Bool {
        resultCode == .SQLITE_BUSY || resultCode == .SQLITE_LOCKED
    }
}

/// What the commit of one record did, and what is left to the caller when the record's own file
/// was still being flushed.
public struct CommittedInsert: Sendable, Equatable {
    public let outcome: InsertOutcome
    /// The file an overwrite replaced: to be removed once the new file is durable.
    public let replacedPath: String?
    /// A duplicate's kept first copy whose file another reception is still flushing: to be made
    /// durable before the duplicate is answered.
    public let unflushedKeptPath: String?
    /// The row was noted in `unflushed_object`: its note is to be cleared once the file is durable.
    public let noted: Bool

    init(outcome: InsertOutcome, replacedPath: String? = nil, unflushedKeptPath: String? = nil, noted: Bool = false) {
        self.outcome = outcome
        self.replacedPath = replacedPath
        self.unflushedKeptPath = unflushedKeptPath
        self.noted = noted
    }
}

/// Where a received file's flush (file and directory fsync) and its row's commit meet: the
/// thread flushing the file and the group committer, running at the same time, each tell the
/// other what is done, so that the one that ends second does the remaining work at once.
public final class FileFlush: Sendable {
    private struct State {
        var durable = false
        /// The row is committed with a note that only needs clearing (no replaced file to remove first).
        var noteCommitted = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// The file and its directory entry are on disk. Returns true when the row was committed
    /// before, with a note the caller is to clear now; otherwise a transaction formed from now
    /// on commits the row without a note, and one already formed is answered with `noted`.
    public func ended() -> Bool {
        state.withLockedValue { state in
            state.durable = true
            return state.noteCommitted
        }
    }

    var isDurable: Bool { state.withLockedValue { $0.durable } }

    /// The row's commit is durable, before its caller resumes.
    func committed(_ insert: CommittedInsert) {
        state.withLockedValue { $0.noteCommitted = insert.noted && insert.replacedPath == nil }
    }
}

/// Counters of a `GroupCommitter`.
public struct GroupCommitStatistics: Sendable, Equatable {
    public var commits = 0
    public var instances = 0
    /// Commits that only cleared notes of durable files (no row waited to carry them).
    public var noteClearings = 0
}
