import Foundation
import TandemArchive
import Testing
@testable import TandemCluster

/// The epoch authority against a real index in a scratch data root.
@Suite struct ArchiveBindingTests {
    @Test func noHolderUntilTheFirstPromotionThenIdempotentBumps() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let authority = ArchiveEpochAuthority(root: DataRoot(url: scratch.root))
        #expect(try authority.current() == nil)

        let first = try authority.promote(node: "node1")
        #expect(try authority.promote(node: "node1") == first)
        let second = try authority.promote(node: "node2")
        #expect(second.epoch == first.epoch + 1 && second.holder == "node2")
        #expect(try authority.current() == second)
    }

    @Test func aServiceOfTheOldEpochIsFencedAfterAPromotionElsewhere() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let root = DataRoot(url: scratch.root)
        let old = try ArchiveEpochAuthority(root: root).promote(node: "node1")
        let staleService = try ArchiveIndex(root: root, epoch: old.epoch)
        _ = try ArchiveEpochAuthority(root: root).promote(node: "node2")

        #expect(throws: FencedError.self) {
            try staleService.write { db in try db.execute(sql: "SELECT 1") }
        }
    }

    @Test func promotionRemovesPartialReceivesOfDeadWriters() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let root = DataRoot(url: scratch.root)
        let housekeeping = ArchiveHousekeeping(root: root)
        #expect(try housekeeping.recoverIncoming() == 0)
        try FileManager.default.createDirectory(at: root.incomingDirectory, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: root.incomingDirectory.appendingPathComponent("leftover.part"))
        #expect(try housekeeping.recoverIncoming() == 1)
    }
}
