@testable import DICOMCore
import DICOMSynthetic
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import TandemSend

@Suite struct InventoryFeedTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func theWalkListsRegularFilesDepthFirstInNameOrderAndFollowsNoLinkedFolder() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["b/2.dcm", "b/1.dcm", "a.dcm", "c/d/3.dcm"] {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: url)
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "b")
        let walked = Array(try FileWalk(paths: [root.path])).map { String($0.dropFirst(root.path.count + 1)) }
        #expect(walked == ["a.dcm", "b/1.dcm", "b/2.dcm", "c/d/3.dcm"])
        #expect(throws: FileInventory.MissingPath.self) { try FileWalk(paths: [root.path, root.path + "/missing"]) }
    }

    @Test func severalSendersTakeEachEntryOnceAndEachSeriesOnOneSenderInWalkOrder() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try SyntheticStudy(StudySpecification(seriesCount: 3, instancesPerSeries: 4, instanceSize: 4 * 1024))
            .write(to: root)
        try Data("not DICOM".utf8).write(to: root.appendingPathComponent("notes.txt"))
        let inspected = NIOLockedValueBox(0)
        // A window of 64 never fills with these 13 entries, so no lane ever joins another's series.
        let feed = InventoryFeed(try FileWalk(paths: [root.path]),
                                 inspected: { _ in inspected.withLockedValue { $0 += 1 } })
        let byLane = await withTaskGroup(of: [InventoryEntry].self) { group in
            for lane in 0..<3 {
                group.addTask {
                    var entries: [InventoryEntry] = []
                    while let entry = await feed.next(for: lane) { entries.append(entry) }
                    return entries
                }
            }
            var all: [[InventoryEntry]] = []
            for await entries in group { all.append(entries) }
            return all
        }
        let taken = byLane.flatMap { $0 }
        #expect(taken.count == 13 && inspected.withLockedValue { $0 } == 13)
        #expect(Set(taken.compactMap { if case .sendable(let file) = $0 { file.path } else { nil } }) == Set(files.map(\.path)))
        #expect(taken.filter { if case .skipped = $0 { true } else { false } }.map(\.path) == [root.path + "/notes.txt"])
        // The folders are S001…S003: a series' files on one lane, in walk order.
        for series in ["S001", "S002", "S003"] {
            let lanes = byLane.map { $0.map(\.path).filter { $0.contains("/\(series)/") } }.filter { !$0.isEmpty }
            #expect(lanes == [files.map(\.path).filter { $0.contains("/\(series)/") }], "\(series): \(lanes)")
        }
    }

    @Test func anAssociationProposesItsFirstFilesKeyFirstThenTheOthersSeen() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let ct = try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: 4 * 1024)).write(to: root.appendingPathComponent("1"))
        let mr = try SyntheticStudy(StudySpecification(modality: .MR, instancesPerSeries: 1, instanceSize: 4 * 1024,
                                                       transferSyntax: .implicitVRLittleEndian))
            .write(to: root.appendingPathComponent("2"))
        let feed = InventoryFeed(try FileWalk(paths: [ct[0].path, mr[0].path]))
        var keys: [ContextKey] = []
        while let entry = await feed.next(for: 0) {
            if case .sendable(let file) = entry { keys.append(ContextKey(file)) }
        }
        #expect(keys.count == 2)
        #expect(feed.keysToPropose(with: keys[0]) == [keys[0], keys[1]])
        #expect(feed.keysToPropose(with: keys[1]) == [keys[1], keys[0]])
        #expect(feed.keysToPropose(with: keys[1], limit: 1) == [keys[1]])
    }
}
