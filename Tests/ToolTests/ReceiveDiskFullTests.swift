import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// dcmrecv on a data root that fills up: a small tmpfs (mounting needs root; skipped otherwise).
@Suite("dcmrecv on a full disk", .serialized, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct ReceiveDiskFullTests {
    static func mount(_ arguments: [String]) throws {
        let run = try ExternalTool.run(arguments[0], Array(arguments.dropFirst()))
        guard run.status == 0 else { throw ExternalTool.Failure("\(arguments.joined(separator: " ")): \(run.stderr)") }
    }

    @Test("what does not fit is refused (A700) without corrupt files; reception resumes once space is freed")
    func fullDisk() throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try Self.mount(["mount", "-t", "tmpfs", "-o", "size=4m", "tandem-full", mountPoint.path])
        defer {
            _ = try? ExternalTool.run("umount", [mountPoint.path])
            try? FileManager.default.removeItem(at: mountPoint)
        }
        let root = mountPoint.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "[storage]\nmin_free_bytes = 0\n".write(to: root.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-full-in-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: input) }
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: 12, instanceSize: 512 * 1024)).write(to: input)

        let receiver = try RunningReceiver(root: root)
        defer { receiver.remove() }
        let first = try ExternalTool.run("storescu", ["-aec", "TANDEM", "+sd", "+r", "127.0.0.1", "\(receiver.port)", input.path])
        #expect((first.stdout + first.stderr).contains("Out of Resources") || first.status != 0)
        let stored = try receiver.indexedInstances()
        #expect(stored.count > 0 && stored.count < files.count, "\(stored.count) of \(files.count) stored on 4 MB")
        for path in stored.values {
            #expect(try ExternalTool.run("dcmdump", ["-q", root.appendingPathComponent(path).path]).status == 0)
        }
        // Nothing partial stays in incoming/: only the receiver's spare temp files, created ahead and empty.
        let incoming = root.appendingPathComponent("incoming")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: incoming.path)
        #expect(leftovers.count <= 4)
        for name in leftovers {
            let size = try FileManager.default.attributesOfItem(atPath: incoming.appendingPathComponent(name).path)[.size] as? Int
            #expect(size == 0, "\(name) holds \(size ?? -1) bytes")
        }

        try Self.mount(["mount", "-o", "remount,size=16m", mountPoint.path])
        let second = try ExternalTool.run("storescu", ["-aec", "TANDEM", "+sd", "+r", "127.0.0.1", "\(receiver.port)", input.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try receiver.indexedInstances().count == files.count)
        #expect(receiver.stop() == 0)
    }
}
