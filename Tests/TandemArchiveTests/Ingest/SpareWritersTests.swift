import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

@Suite("Spare temp files")
struct SpareWritersTests {
    /// Waits (at most 10 s) until the background refill has made `count` spares.
    static func waitForSpares(_ spares: SpareWriters, count: Int) async throws {
        for _ in 0..<1_000 where spares.paths.count < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(spares.paths.count == count)
    }

    @Test("none are made before a reception takes one; then the pool fills up, and a take hands out a spare")
    func takeHandsOutSpares() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let spares = SpareWriters(root: scratch.root, capacity: 2)
        #expect(spares.paths.isEmpty)
        let first = try spares.take(minFreeBytes: 0)
        try await Self.waitForSpares(spares, count: 2)
        let ready = spares.paths
        let second = try spares.take(minFreeBytes: 0)
        #expect(ready.contains(second.temporaryPath))
        // Ordinary writers: a never-published file each, and nothing else in incoming/.
        try await Self.waitForSpares(spares, count: 2)
        let expected = Set(spares.paths + [first.temporaryPath, second.temporaryPath]).map {
            "incoming/" + URL(fileURLWithPath: $0).lastPathComponent
        }
        #expect(scratch.files(under: "incoming") == expected.sorted())
        first.discard()
        second.discard()
        spares.discardAll()
        #expect(scratch.files(under: "incoming").isEmpty)
        // Stopped: takes still work, and make no more spares.
        let late = try spares.take(minFreeBytes: 0)
        try await Task.sleep(for: .milliseconds(100))
        #expect(spares.paths.isEmpty)
        late.discard()
    }

    @Test("the free-space check applies to every take, spare or not")
    func freeSpaceIsCheckedOnTake() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let spares = SpareWriters(root: scratch.root, capacity: 1)
        try spares.take(minFreeBytes: 0).discard()
        try await Self.waitForSpares(spares, count: 1)
        #expect(throws: StorageError.self) { try spares.take(minFreeBytes: .max) }
        #expect(spares.paths.count == 1)
        spares.discardAll()
    }

    @Test("a receiver with spares stores as before; its spares are empty temp files, removed on stop or by recovery")
    func pipelineWithSpares() async throws {
        let scratch = try TemporaryRoot()
        defer { scratch.remove() }
        let pipeline = try StorePipeline.open(root: scratch.root, storage: StorageSettings(minFreeBytes: 0),
                                              environment: [:], spareFiles: 2)
        let sent = try SentInstance.make(count: 3)
        for instance in sent { #expect(try await instance.store(with: pipeline).isStored) }
        for instance in sent { #expect(try pipeline.index.instance(sopInstanceUID: instance.sopInstanceUID) != nil) }
        try await Self.waitForSpares(pipeline.spares, count: 2)
        let leftovers = scratch.files(under: "incoming")
        #expect(leftovers.count == 2)
        for file in leftovers {
            #expect(try FileManager.default.attributesOfItem(atPath: scratch.root.url.appendingPathComponent(file).path)[.size]
                as? Int == 0)
        }
        // A graceful stop removes them.
        pipeline.discardSpareFiles()
        #expect(scratch.files(under: "incoming").isEmpty)
        // A crash leaves them to recovery, which removes them as never-published temp files.
        let restarted = StorePipeline(index: pipeline.index, storage: pipeline.storage, spareFiles: 2)
        #expect(try await sent[0].store(with: restarted).isStored)
        try await Self.waitForSpares(restarted.spares, count: 2)
        try IndexFixtures.crashWriters(in: scratch.root)
        #expect(try pipeline.index.recover().removedIncoming == 2)
        #expect(scratch.files(under: "incoming").isEmpty)
    }
}
