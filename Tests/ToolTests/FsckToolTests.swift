import DICOMCore
import Foundation
import Testing

/// `clusterctl fsck` on an archive that dcmrecv keeps serving: it finds an orphan file and a
/// row whose file is gone, repairs both, and ingest goes on meanwhile.
@Suite("clusterctl fsck", .serialized)
struct FsckToolTests {
    @Test("fsck reports an orphan and a missing file while dcmrecv serves, --repair fixes both, then it is clean")
    func findsAndRepairs() async throws {
        let lab = try ClusterScratch()
        defer { lab.remove() }
        let receiver = try await BlockingWork.run { Unchecked(try lab.startDcmrecv(epoch: 1)) }.value
        defer { receiver.kill() }
        let study = try lab.synthetic(count: 3)
        #expect(try await BlockingWork.run { try lab.storescu(study) }.acknowledged == 3)

        // An archived file lost, and a file copied in by hand (no row).
        let lostFile = try #require(lab.archivedFiles().first)
        try FileManager.default.removeItem(at: lab.root.appendingPathComponent(lostFile))
        let stray = try lab.synthetic(count: 1)
        let orphan = "objects/by-hand/\(stray.uids[0]).dcm"
        try FileManager.default.createDirectory(at: lab.root.appendingPathComponent("objects/by-hand"),
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: stray.files[0], to: lab.root.appendingPathComponent(orphan))

        let fsck = { (arguments: [String]) in
            try await BlockingWork.run { try ToolRunner.run("clusterctl", ["fsck", "--root", lab.root.path] + arguments) }
        }
        let found = try await fsck([])
        #expect(found.status == 1, "\(found.stderr)")
        #expect(found.stdout.contains("orphan \(orphan)"), "\(found.stdout)")
        #expect(found.stdout.contains("missing ") && found.stdout.contains(lostFile), "\(found.stdout)")
        #expect(try await BlockingWork.run { try lab.indexedInstances() } == Set(study.uids))

        let repaired = try await fsck(["--repair"])
        #expect(repaired.stdout.contains("repaired: 1 indexed, 0 duplicate(s) removed, 1 marked missing"),
                "\(repaired.stdout)\(repaired.stderr)")
        #expect(try await BlockingWork.run { try lab.indexedInstances() } == Set(study.uids + stray.uids))

        // Ingest went on: the lost instance, sent again, restores its row; then all is consistent.
        #expect(try await BlockingWork.run { try lab.storescu(study) }.acknowledged == 3)
        let clean = try await fsck(["--json"])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("\"orphans\":[]") && clean.stdout.contains("\"missing\":[]"), "\(clean.stdout)")
    }
}

extension ClusterScratch {
    /// Files under `objects/`, relative to the root.
    func archivedFiles() -> [String] {
        let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent("objects"),
                                                        includingPropertiesForKeys: [.isRegularFileKey])
        return (enumerator?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }
            .sorted()
    }
}
