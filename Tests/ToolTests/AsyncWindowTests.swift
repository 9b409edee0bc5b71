import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// The asynchronous operations window (PS3.7 §D.3.3.3) between Tandem's own tools, and what
/// peers that do not use it see: nothing changes for them.
@Suite("Asynchronous operations window: dcmsend, dcmrecv and other peers", .serialized)
struct AsyncWindowTests {
    static func synthetic(count: Int) throws -> (URL, [URL]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-window-\(UUID().uuidString)")
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: count, instanceSize: 12 * 1024))
            .write(to: directory)
        return (directory, files)
    }

    @Test("dcmsend → dcmrecv: the window is negotiated, every instance is stored once with its content; storescu still gets none")
    func dcmsendToDcmrecv() async throws {
        let receiver = try RunningReceiver.configured("[limits]\nasync_operations_window = 6\n")
        defer { receiver.remove() }
        let (directory, files) = try Self.synthetic(count: 30)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = receiver.port
        let sent = try await BlockingWork.run {
            try ToolRunner.run("dcmsend", ["--async-window", "8", "-aec", "TANDEM", "--json", "127.0.0.1", "\(port)",
                                           directory.path])
        }
        #expect(sent.status == 0, "\(sent.stderr)")
        let statuses = sent.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["status"] as? String
        }
        #expect(statuses.filter { $0 == "sent" }.count == files.count, "\(sent.stdout)")
        #expect(statuses.filter { $0 != "sent" } == ["summary"], "\(sent.stdout)")
        #expect(try receiver.indexedInstances().count == files.count)
        try ReceiveTests.expectArchived(files, in: receiver)

        let stored = try await BlockingWork.run {
            try ExternalTool.run("storescu", ["-aec", "TANDEM", "+sd", "+r", "127.0.0.1", "\(port)", directory.path])
        }
        #expect(stored.status == 0, "\(stored.stderr)")
        let summaries = try await receiver.waitForLogEvents("association ended", count: 2)
        // dcmsend proposed 8, dcmrecv granted its own 6; storescu proposed nothing.
        #expect(summaries.map { $0["window"] } == ["6", "1"], "\(summaries)")
        #expect(summaries.map { $0["stored"] } == ["30", "30"], "\(summaries)")
        #expect(summaries.allSatisfy { $0["end"] == "released" }, "\(summaries)")
        #expect(try receiver.indexedInstances().count == files.count)  // the second copies kept the first
        #expect(receiver.stop() == 0)
    }

    /// pynetdicom as requestor: with the 0x53 item it gets dcmrecv's answer, capped, and its
    /// stores (one at a time, as pynetdicom sends) succeed; without it, no item comes back.
    static let pynetdicomProposal = """
        import sys
        from pydicom import dcmread
        from pynetdicom import AE
        from pynetdicom.pdu_primitives import AsynchronousOperationsWindowNegotiation
        port, invoked, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
        ae = AE(ae_title="PYNET")
        ae.add_requested_context(dcmread(files[0]).SOPClassUID, "1.2.840.10008.1.2.1")
        negotiation = []
        if invoked >= 0:
            item = AsynchronousOperationsWindowNegotiation()
            item.maximum_number_operations_invoked = invoked
            item.maximum_number_operations_performed = 0
            negotiation = [item]
        association = ae.associate("127.0.0.1", port, ae_title="TANDEM", ext_neg=negotiation)
        assert association.is_established, "not established"
        answered = [i for i in association.acceptor.user_information
                    if isinstance(i, AsynchronousOperationsWindowNegotiation)]
        window = (f"{answered[0].maximum_number_operations_invoked} {answered[0].maximum_number_operations_performed}"
                  if answered else "none")
        statuses = [association.send_c_store(dcmread(path)).Status for path in files]
        association.release()
        print(window, " ".join(f"{status:04X}" for status in statuses))
        """

    @Test("pynetdicom proposing a window gets dcmrecv's capped answer and stores fine; without the item it gets none",
          .enabled(if: ReceiveCrashTests.pynetdicomAvailable, "needs pynetdicom"))
    func pynetdicomProposal() async throws {
        let receiver = try RunningReceiver.configured("[limits]\nasync_operations_window = 12\n")
        defer { receiver.remove() }
        let (directory, files) = try Self.synthetic(count: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        var answers: [String] = []
        for invoked in ["0", "40", "3", "-1"] {  // unlimited, above our limit, below it, no item
            let run = try await ExternalTool.runOffPool(
                "timeout", ["120", "python3", "-c", Self.pynetdicomProposal, "\(receiver.port)", invoked] + files.map(\.path))
            #expect(run.status == 0, "\(run.stderr.suffix(2000))")
            answers.append(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(answers == ["12 1 0000 0000", "12 1 0000 0000", "3 1 0000 0000", "none 0000 0000"])
        #expect(try receiver.indexedInstances().count == files.count)
        #expect(receiver.stop() == 0)
    }

    @Test("a window of 1 in tandem.toml answers a proposal with 1/1 and dcmsend then sends one at a time")
    func windowOfOne() async throws {
        let receiver = try RunningReceiver.configured("[limits]\nasync_operations_window = 1\n")
        defer { receiver.remove() }
        let (directory, files) = try Self.synthetic(count: 4)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = receiver.port
        let sent = try await BlockingWork.run {
            try ToolRunner.run("dcmsend", ["-aec", "TANDEM", "127.0.0.1", "\(port)", directory.path])
        }
        #expect(sent.status == 0, "\(sent.stderr)")
        let summary = try #require(try await receiver.waitForLogEvents("association ended", count: 1).first)
        #expect(summary["window"] == "1" && summary["stored"] == "\(files.count)", "\(summary)")
        #expect(receiver.stop() == 0)
    }

    /// dcmrecv started by bash with the given open-file limits (soft, hard); its soft limit once
    /// listening (from /proc) and its log.
    static func openFileLimit(soft: Int, hard: Int) async throws -> (soft: Int, log: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-nofile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try LoopbackPort.free()
        let log = root.appendingPathComponent("dcmrecv.log")
        let dcmrecv = ToolRunner.productsDirectory.appendingPathComponent("dcmrecv").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "ulimit -Sn \(soft) && ulimit -Hn \(hard) && exec \"$0\" \"$@\" 2>\(log.path)", dcmrecv,
                             "--root", root.appendingPathComponent("data").path, "--bind", "127.0.0.1", "--port", "\(port)"]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "TANDEM_EPOCH" }
        try process.runWithSignalsUnblocked()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        guard try await eventually(seconds: 20, { LoopbackPort.canConnect(port) }) else {
            throw ExternalTool.Failure("dcmrecv is not listening")
        }
        let limits = try String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let soft = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[3]))
        return (soft, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test("dcmrecv raises its soft open-file limit to what the windows may need; below that hard limit it warns")
    func openFileLimitFollowsTheWindow() async throws {
        // Defaults: 64 associations × (16 + 2) + 64 = 1,216 descriptors.
        let roomy = try await Self.openFileLimit(soft: 256, hard: 4096)
        #expect(roomy.soft == 1216)
        #expect(!roomy.log.contains("open-file limit"), "\(roomy.log)")
        let tight = try await Self.openFileLimit(soft: 256, hard: 512)
        #expect(tight.soft == 512)
        #expect(tight.log.contains("open-file limit below"), "\(tight.log)")
    }

    @Test("a window outside 1...64 in tandem.toml is a configuration error (exit 78)")
    func windowOutOfRange() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-window-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "[limits]\nasync_operations_window = 0\n".write(to: root.appendingPathComponent("tandem.toml"),
                                                           atomically: true, encoding: .utf8)
        let run = try ToolRunner.run("dcmrecv", ["--root", root.path, "--port", "\(try LoopbackPort.free())"])
        #expect(run.status == 78)
        #expect(run.stderr.contains("async_operations_window"), "\(run.stderr)")
    }
}
