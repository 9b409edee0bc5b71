import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import TandemArchive

@Suite struct DurableDirectoriesTests {
    private static func recordingLedger() -> (DurableDirectories, NIOLockedValueBox<[String]>) {
        let synced = NIOLockedValueBox<[String]>([])
        let ledger = DurableDirectories { path in synced.withLockedValue { $0.append(path) } }
        return (ledger, synced)
    }

    /// Another association created the chain but may not have fsynced it yet: whoever relies on
    /// it makes each entry durable before acknowledging anything inside.
    @Test func directoriesFoundExistingAreMadeDurable() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let base = temporary.root.url.path
        try FileManager.default.createDirectory(atPath: base + "/objects/ab/1.2", withIntermediateDirectories: true)
        let (ledger, synced) = Self.recordingLedger()

        #expect(try ledger.makeDurable(["objects", "ab", "1.2"], under: base) == base + "/objects/ab/1.2")
        #expect(synced.current == [base, base + "/objects", base + "/objects/ab"])
    }

    @Test func eachDirectoryIsSyncedOncePerProcess() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let base = temporary.root.url.path
        let (ledger, synced) = Self.recordingLedger()

        _ = try ledger.makeDurable(["objects", "cd", "1.3"], under: base)
        // Created here: the new directory and its parent.
        #expect(synced.current == [base, base + "/objects/cd", base + "/objects", base + "/objects/cd/1.3", base + "/objects/cd"])
        synced.withLockedValue { $0 = [] }
        _ = try ledger.makeDurable(["objects", "cd", "1.3"], under: base)
        _ = try ledger.makeDurable(["objects", "cd", "1.4"], under: base)
        #expect(synced.current == [base + "/objects/cd/1.4", base + "/objects/cd"])
    }

    @Test func aDirectoryWhoseSyncFailedIsSyncedAgain() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let base = temporary.root.url.path
        let failing = NIOLockedValueBox(true)
        let synced = NIOLockedValueBox<[String]>([])
        let ledger = DurableDirectories { path throws(StorageError) in
            if failing.current { throw StorageError.io(operation: "fsync", path: path, code: EIO) }
            synced.withLockedValue { $0.append(path) }
        }
        #expect(throws: StorageError.self) { try ledger.makeDurable(["objects"], under: base) }
        failing.withLockedValue { $0 = false }
        _ = try ledger.makeDurable(["objects"], under: base)
        #expect(synced.current == [base])
    }
}

private extension NIOLockedValueBox {
    var current: Value { withLockedValue { $0 } }
}
