import DICOMCore
import DICOMSynthetic
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dcmsend` sends while it takes the inventory, and streams each file in bounded batches.
@Suite(.serialized) struct SendStreamingTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("send-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func directory(_ name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The second path is a FIFO: inspecting it blocks in open(2) until the test writes into it,
    /// which the test does only once the first file reached the peer (or after 120 s, failing).
    @Test func theFirstFileLeavesWhileTheInventoryWaitsForTheNext() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox"), inbox = try directory("inbox")
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: 2, instanceSize: 12 * 1024)).write(to: outbox)
        let fifo = scratch.appendingPathComponent("next.dcm").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let peer = try PeerProcess.storescp(["-od", inbox.path])
        defer { peer.stop() }
        let arguments = ["--json", "127.0.0.1", "\(peer.port)", files[0].path, fifo]
        let sending = Task { try await BlockingWork.run { try ToolRunner.run("dcmsend", arguments) } }
        let arrivedFirst = await BlockingWork.run {
            for _ in 0..<1_200 {
                if let arrived = try? FileManager.default.contentsOfDirectory(atPath: inbox.path), !arrived.isEmpty { return true }
                usleep(100_000)
            }
            return false
        }
        // The walk goes on only now: the FIFO's reader (dcmsend's inventory) waits in open(2).
        let second = try Data(contentsOf: files[1])
        try await BlockingWork.run {
            let descriptor = open(fifo, O_WRONLY | O_NONBLOCK)
            guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
            defer { close(descriptor) }
            _ = fcntl(descriptor, F_SETFL, 0)
            _ = second.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
        let run = try await sending.value
        #expect(arrivedFirst, "the first file reached the peer only after the inventory ended")
        let lines = try jsonLines(run.stdout)
        #expect(lines.first { $0["path"] as? String == files[0].path }?["status"] as? String == "sent", "\(run.stdout)")
        // A pipe's data set cannot be read twice, once to inspect and once to send.
        #expect(lines.first { $0["path"] as? String == fifo }?["status"] as? String == "failed", "\(run.stdout)")
        #expect(run.status == 1, "\(run.stderr)")
    }

    @Test func aLargeFileIsSentWithBoundedMemory() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox")
        let frames = 2_048, frameBytes = 256 * 256 * 2  // 256 MiB of pixel data
        let file = try await BlockingWork.run {
            try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: frames * frameBytes,
                                                  framesPerInstance: frames)).write(to: outbox)[0]
        }
        let peer = try PeerProcess.storescp(["--ignore"])
        defer { peer.stop() }
        let timing = scratch.appendingPathComponent("time.txt"), port = "\(peer.port)"
        let dcmsend = ToolRunner.productsDirectory.appendingPathComponent("dcmsend").path
        let run = try await BlockingWork.run {
            try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/time"),
                                   ["-f", "%M", "-o", timing.path, dcmsend, "127.0.0.1", port, file.path])
        }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("SENT"), "\(run.stdout)")
        let kilobytes = try #require(Int(try String(contentsOf: timing, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? ""))
        print("dcmsend of a 256 MiB instance: peak RSS \(kilobytes >> 10) MiB")
        #expect(kilobytes < 96 << 10, "peak RSS \(kilobytes >> 10) MiB")
    }
}
