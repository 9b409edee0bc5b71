import Foundation
import Testing
@testable import TandemArchive

@Suite struct GroupCommitterTests {
    @Test func concurrentInsertsAreAllCommitted() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index, maximumBatch: 8)
        let outcomes = try await withThrowingTaskGroup(of: InsertOutcome.self) { group in
            for number in 1...50 {
                group.addTask { try await committer.insert(IndexFixtures.record(sop: "1.2.3.1.1.\(number)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: .stored, count: 50))
        #expect(try index.counts().instances == 50)
        #expect(try index.series(seriesInstanceUID: "1.2.3.1.1")?.numberOfInstances == 50)
    }

    @Test func aBadRecordFailsOnlyItsOwnCaller() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let committer = GroupCommitter(index: index)
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for number in 1...20 {
                let sop = number == 7 ? "1.2.bad" : "1.2.3.1.1.\(number)"
                group.addTask {
                    let succeeded = (try? await committer.insert(IndexFixtures.record(sop: sop))) == .stored
                    return (number, succeeded)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.filter { !$0.value }.map(\.key) == [7])
        #expect(try index.counts().instances == 19)
    }
}
