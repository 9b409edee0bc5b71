import Foundation
import Testing
@testable import TandemArchive

@Suite struct DurableObjectWriterTests {
    private let location: ObjectLocation

    init() throws {
        location = try ObjectLocation(studyUID: "1.2.826.0.1.1", seriesUID: "1.2.826.0.1.1.2", sopInstanceUID: "1.2.826.0.1.1.2.3")
    }

    @Test func commitPublishesTheWholeObjectAndSettleClearsItsJournalEntry() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let writer = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        #expect(temporary.files(in: temporary.root.incomingDirectory).count == 1)
        try writer.append(Data("DICM".utf8))
        try writer.append([UInt8](repeating: 7, count: 100_000))
        #expect(writer.bytesWritten == 100_004)
        // Nothing is visible under objects/ before commit.
        #expect(temporary.files(in: temporary.root.objectsDirectory).isEmpty)

        let stored = try writer.commit(to: location)
        #expect(stored.relativePath == location.relativePath())
        #expect(stored.size == 100_004)
        let contents = try Data(contentsOf: temporary.root.url(relativePath: stored.relativePath))
        #expect(contents.count == 100_004)
        #expect(contents.prefix(4) == Data("DICM".utf8))
        #expect(temporary.files(in: temporary.root.objectsDirectory) == [stored.relativePath])
        // Until settled, the temp name is a second link to the object: its journal entry.
        var status = stat()
        #expect(stat(writer.temporaryURL.path, &status) == 0 && status.st_nlink == 2)
        writer.discard()  // a committed object is only ever settled
        #expect(temporary.files(in: temporary.root.incomingDirectory).count == 1)
        writer.settle()
        #expect(temporary.files(in: temporary.root.incomingDirectory).isEmpty)
        #expect(try Data(contentsOf: temporary.root.url(relativePath: stored.relativePath)).count == 100_004)
    }

    @Test func aSecondCopyNeverReplacesTheFirst() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let first = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        try first.append(Data("first".utf8))
        let firstStored = try first.commit(to: location)
        let second = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        try second.append(Data("second".utf8))
        let secondStored = try second.commit(to: location)

        #expect(secondStored.relativePath != firstStored.relativePath)
        #expect(secondStored.relativePath.hasPrefix(location.relativePath().dropLast(4) + "."))
        #expect(try Data(contentsOf: firstStored.url) == Data("first".utf8))
        #expect(try Data(contentsOf: secondStored.url) == Data("second".utf8))
    }

    @Test func discardAndAbandonLeaveNothing() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let writer = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
        try writer.append(Data("partial".utf8))
        writer.discard()
        #expect(temporary.files(in: temporary.root.url).isEmpty)
        #expect(throws: StorageError.finished) { try writer.append(Data("more".utf8)) }
        #expect(throws: StorageError.finished) { try writer.commit(to: location) }

        do {
            let abandoned = try DurableObjectWriter(root: temporary.root, minFreeBytes: 0)
            try abandoned.append(Data("aborted association".utf8))
        }
        #expect(temporary.files(in: temporary.root.url).isEmpty)
    }

    @Test func belowMinimumFreeSpaceRefusesNewObjects() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        #expect {
            _ = try DurableObjectWriter(root: temporary.root, minFreeBytes: .max)
        } throws: { error in
            guard case .outOfResources(let reason)? = error as? StorageError else { return false }
            return reason.contains("min_free_bytes")
        }
        #expect(temporary.files(in: temporary.root.url).isEmpty)
    }

    /// A real full file system: a 2 MiB tmpfs, written past its end.
    @Test(.enabled(if: geteuid() == 0, "mounting tmpfs needs root"))
    func fullDiskIsOutOfResourcesAndLeavesNoPartialObject() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        try temporary.withSmallFileSystem { root in
            let writer = try DurableObjectWriter(root: root, minFreeBytes: 0)
            let chunk = [UInt8](repeating: 0x55, count: 64 * 1024)
            #expect {
                for _ in 0..<64 { try writer.append(chunk) }
                _ = try writer.commit(to: location)
            } throws: { error in
                guard case .outOfResources? = error as? StorageError else { return false }
                return true
            }
            let rootFiles = TemporaryRoot.files(under: root)
            #expect(rootFiles.isEmpty, "\(rootFiles)")
            #expect(throws: StorageError.finished) { try writer.append(chunk) }

            // The space came back: a small object still fits.
            let small = try DurableObjectWriter(root: root, minFreeBytes: 0)
            try small.append(chunk)
            let stored = try small.commit(to: location)
            #expect(try Data(contentsOf: stored.url).count == chunk.count)
        }
    }
}
