import Foundation
import Testing

/// dcmrecv logs one summary line per association when it ends (stderr, here as JSON lines).
@Suite("dcmrecv association summary", .serialized)
struct ReceiveSummaryLogTests {
    @Test("after a storescu run: AE titles, peer, instances stored, bytes, seconds, released")
    func releasedAfterStorescu() async throws {
        let receiver = try RunningReceiver(extraArguments: ["--log-format", "json"])
        defer { receiver.remove() }
        let (directory, files) = try ReceiveTests.synthetic(.explicitVRLittleEndian, count: 3)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = try await ExternalTool.runOffPool("storescu", ["-aet", "MODALITY1", "-aec", "TANDEM", "+sd", "+r", "127.0.0.1",
                                                     "\(receiver.port)", directory.path])
        #expect(sent.status == 0, "\(sent.stderr)")
        let summary = try #require(try await receiver.waitForLogEvents("association ended", count: 1).first)
        #expect(summary["level"] == "info")
        #expect(summary["calling"] == "MODALITY1")
        #expect(summary["called"] == "TANDEM")
        #expect(summary["peer"]?.hasPrefix("127.0.0.1:") == true, "\(summary)")
        #expect(summary["stored"] == "\(files.count)")
        #expect(summary["failed"] == "0")
        #expect((Int(summary["bytes"] ?? "") ?? 0) > files.count * 12 * 1024 / 2, "\(summary)")
        #expect(Double(summary["seconds"] ?? "") != nil, "\(summary)")
        #expect(summary["end"] == "released")
        #expect(receiver.stop() == 0)
    }

    @Test("an association the peer aborts is summarised as aborted by peer")
    func abortedByPeer() async throws {
        let receiver = try RunningReceiver(extraArguments: ["--log-format", "json"])
        defer { receiver.remove() }
        _ = try await ExternalTool.runOffPool("echoscu", ["--abort", "-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"])
        let summary = try #require(try await receiver.waitForLogEvents("association ended", count: 1).first)
        #expect(summary["calling"] == "ECHOSCU")
        #expect(summary["stored"] == "0")
        #expect(summary["end"] == "aborted by peer")
        #expect(receiver.stop() == 0)
    }
}
