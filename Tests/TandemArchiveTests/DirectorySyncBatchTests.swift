import DICOMCore
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import TandemArchive

@Suite struct DirectorySyncBatchTests {
    /// Writers whose entries all existed before any sync started share one.
    @Test func waitersCoveredByOneSyncShareIt() async throws {
        let syncs = NIOLockedValueBox(0)
        let batch = DirectorySyncBatch(path: "/unused") { _ in
            syncs.withLockedValue { $0 += 1 }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let tickets = (0..<8).map { _ in batch.ticket() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for ticket in tickets { group.addTask { try await BlockingWork.run { try batch.waitUntilDurable(ticket) } } }
            try await group.waitForAll()
        }
        #expect(syncs.withLockedValue { $0 } == 1)
    }

    /// An entry created while a sync runs may have missed it: its writer waits for the next one.
    @Test func anEntryCreatedDuringASyncWaitsForTheNext() async throws {
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let syncs = NIOLockedValueBox(0)
        let batch = DirectorySyncBatch(path: "/unused") { _ in
            let number = syncs.withLockedValue { $0 += 1; return $0 }
            if number == 1 {
                started.signal()
                release.wait()
            }
        }
        let first = batch.ticket()
        let running = Task { try await BlockingWork.run { try batch.waitUntilDurable(first) } }
        await BlockingWork.run { started.wait() }
        let second = batch.ticket()
        #expect(second == first + 1)
        release.signal()
        try await running.value
        try await BlockingWork.run { try batch.waitUntilDurable(second) }
        #expect(syncs.withLockedValue { $0 } == 2)
    }

    @Test func aFailedSyncFailsTheWritersItCovered() throws {
        let failing = NIOLockedValueBox(true)
        let batch = DirectorySyncBatch(path: "/unused") { path throws(StorageError) in
            if failing.withLockedValue({ $0 }) { throw StorageError.io(operation: "fsync", path: path, code: EIO) }
        }
        let covered = batch.ticket()
        #expect(throws: StorageError.self) { try batch.waitUntilDurable(covered) }
        failing.withLockedValue { $0 = false }
        try batch.waitUntilDurable(batch.ticket())
        // Even after a later sync succeeded: the kernel may have dropped what the failed one could not write.
        #expect(throws: StorageError.self) { try batch.waitUntilDurable(covered) }
    }
}
