import Foundation
import NIOConcurrencyHelpers

/// Makes the entries created in one directory durable for many writers with few `fsync`s.
///
/// A writer that created an entry takes a `ticket`, the number of the first sync that will start
/// after the entry exists; once that sync (or any later one) has completed, the entry is durable.
/// Syncs run one at a time, so every writer that created an entry while a sync was running is
/// covered by the next one: concurrent associations share it.
final class DirectorySyncBatch: @unchecked Sendable {
    let path: String
    private let condition = NSCondition()
    /// Syncs started and completed so far; sync number n starts after n - 1 completed.
    private var started: UInt64 = 0
    private var completed: UInt64 = 0
    private var running = false
    /// The newest sync that failed: every ticket up to it is refused, even if a later sync
    /// succeeded (after a failed fsync the kernel may have dropped what it could not write).
    private var newestFailure: (sync: UInt64, error: StorageError)?
    private let syncDirectory: @Sendable (String) throws(StorageError) -> Void

    init(path: String,
         syncDirectory: @escaping @Sendable (String) throws(StorageError) -> Void = DurableFileSystem.syncDirectory) {
        self.path = path
        self.syncDirectory = syncDirectory
    }

    /// The ticket of the entries created before this call.
    func ticket() -> UInt64 {
        condition.withLock { started + 1 }
    }

    /// Returns once the sync numbered `ticket` (or a later one) has completed, running it on the
    /// calling thread when no sync is running. Blocking: call it off the cooperative pool.
    func waitUntilDurable(_ ticket: UInt64) throws(StorageError) {
        condition.lock()
        defer { condition.unlock() }
        while completed < ticket {
            if running {
                condition.wait()
                continue
            }
            running = true
            started += 1
            let number = started
            condition.unlock()
            let outcome = Result { () throws(StorageError) in try syncDirectory(path) }
            condition.lock()
            running = false
            completed = number
            if case .failure(let error) = outcome { newestFailure = (number, error) }
            condition.broadcast()
        }
        if let newestFailure, newestFailure.sync >= ticket { throw newestFailure.error }
    }
}

extension DirectorySyncBatch {
    private static let batches = NIOLockedValueBox([String: DirectorySyncBatch]())

    /// The one batch of this process for the directory at `path`: every writer creating entries
    /// there shares its syncs.
    static func shared(for path: String) -> DirectorySyncBatch {
        batches.withLockedValue { batches in
            if let batch = batches[path] { return batch }
            let batch = DirectorySyncBatch(path: path)
            batches[path] = batch
            return batch
        }
    }
}
