import DICOMCore
import Foundation
import Testing

/// dcmrecv under hostile peers and hostile data sets (scripts/bench/abuse-driver.py makes both):
/// connections that never associate cost almost nothing and lock nobody out; data sets built to
/// exhaust a parser are refused with a status, within a few MB.
@Suite("dcmrecv under hostile load", .serialized)
struct ReceiveHostileTests {
    static let driver = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/bench/abuse-driver.py").path

    /// Bytes of dcmrecv's peak resident set (VmHWM).
    static func peakRSS(_ receiver: RunningReceiver) throws -> Int64 {
        try #require(ReceiveLoadTests.peakRSS(of: receiver.process.processIdentifier))
    }

    /// Writes one of the driver's data sets into a fresh directory.
    static func hostileDataSet(_ kind: String, size: Int = 0) async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(kind).dcm")
        let made = try await ExternalTool.runOffPool("python3", [driver, "dataset", kind, file.path, "--size", "\(size)"])
        try #require(made.status == 0, "\(made.stderr)")
        return file
    }

    static func store(_ file: URL, port: Int) async throws -> ToolRun {
        try await ExternalTool.runOffPool("storescu", ["-aec", "TANDEM", "-ta", "30", "-td", "120", "127.0.0.1", "\(port)", file.path])
    }

    @Test("with 200 silent and 50 half-header connections open, echoscu and storescu succeed at once; peak RSS under 64 MB + 1 MB per association")
    func silentConnectionsLockNobodyOut() async throws {
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        // Ten source addresses, 25 connections each: within the per-address cap, so all stay open.
        let holder = try HeldConnections(driver: Self.driver, arguments: [
            "hold", "\(receiver.port)", "--silent", "200", "--half-header", "50", "--sources", "10", "--seconds", "120"])
        defer { holder.stop() }
        let ready = try await holder.nextLine()
        #expect(ready == "ready 250")

        // DCMTK's own timeouts are short: the association must be granted at once, not after ARTIM.
        let echo = try await ExternalTool.runOffPool("echoscu", ["-aec", "TANDEM", "-to", "5", "-ta", "5", "127.0.0.1", "\(receiver.port)"])
        #expect(echo.status == 0, "\(echo.stderr)")
        let (directory, files) = try ReceiveTests.synthetic(.explicitVRLittleEndian, count: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try await ExternalTool.runOffPool("storescu", ["-aec", "TANDEM", "-to", "5", "-ta", "5", "127.0.0.1",
                                                       "\(receiver.port)", files[0].path])
        #expect(stored.status == 0, "\(stored.stderr)")
        try ReceiveTests.expectArchived(files, in: receiver)

        let summary = try await holder.finish()
        #expect(summary.hasPrefix("held 250 "), "\(summary)")
        let peak = try Self.peakRSS(receiver)
        #expect(peak < (64 + 1) << 20, "dcmrecv peak RSS \(peak >> 20) MB")
        print("250 silent/half-header connections: \(summary); dcmrecv peak RSS \(peak >> 20) MB")
        #expect(receiver.stop() == 0)
    }

    @Test("16 MB of empty items and 96 MB of zero-length elements are refused with C000; peak RSS grows under 32 MB")
    func parserBombsAreRefusedInBoundedMemory() async throws {
        let emptyItems = try await Self.hostileDataSet("empty-items", size: 16 << 20)
        let zeroLength = try await Self.hostileDataSet("zero-length", size: 96 << 20)
        defer {
            for file in [emptyItems, zeroLength] { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        }
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        let echo = try await ExternalTool.runOffPool("echoscu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"])
        #expect(echo.status == 0)
        let before = try Self.peakRSS(receiver)
        for file in [emptyItems, zeroLength] {
            let sent = try await Self.store(file, port: receiver.port)
            #expect(sent.status != 0, "storescu reports the failed store")
        }
        let refusals = receiver.logText.split(separator: "\n").filter { $0.contains("status=C000H") }
        #expect(refusals.count == 2)
        #expect(refusals.first?.contains("more than 1000000 items") == true)
        #expect(refusals.last?.contains("more than 4000000 data elements") == true)
        #expect(try receiver.indexedInstances().isEmpty)
        let growth = try Self.peakRSS(receiver) - before
        #expect(growth < 32 << 20, "dcmrecv peak RSS grew by \(growth >> 20) MB")
        print("parser bombs refused; dcmrecv peak RSS \(before >> 20) MB before, +\(growth >> 20) MB")
        #expect(receiver.stop() == 0)
    }

    @Test("DCMTK storescu stores a 3,000-frame enhanced MR with per-frame functional groups")
    func threeThousandFrameEnhancedMRIsStored() async throws {
        let file = try await Self.hostileDataSet("enhanced-mr")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        let sent = try await Self.store(file, port: receiver.port)
        #expect(sent.status == 0, "\(sent.stderr.suffix(600))")
        let uid = try DICOMFile(path: file.path, options: .headerOnly).dataSet.string(.sopInstanceUID) ?? ""
        let stored = try #require(try receiver.indexedInstances()[uid], "not indexed")
        // storescu re-encodes the items' lengths, so the structure is compared, not the bytes:
        // every item of the 3,000 per-frame functional groups arrived.
        let items = { (path: String) in
            try ExternalTool.run("dcmdump", ["-q", path]).stdout.split(separator: "\n").filter { $0.contains("(fffe,e000)") }.count
        }
        let sentItems = try items(file.path)
        #expect(sentItems == 3_000 * 5 + 2)
        #expect(try items(receiver.root.appendingPathComponent(stored).path) == sentItems)
        #expect(receiver.stop() == 0)
    }

    @Test("with require_known_callers, a connection from an unknown address is closed at accept, unanswered")
    func unknownAddressIsClosedAtAccept() async throws {
        let receiver = try RunningReceiver.configured("""
            [security]
            require_known_callers = true

            [[peer]]
            ae_title = "SITE1"
            host = "127.0.0.1"
            port = 104
            """)
        defer { receiver.remove() }
        // From 127.0.0.2: no [[peer]] there. Closed long before ARTIM (30 s), nothing received.
        let probe = """
            import socket, sys, time
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", int(sys.argv[1])))
            s.settimeout(10)
            started = time.monotonic()
            print(len(s.recv(100)), time.monotonic() - started < 5)
            """
        let run = try await ExternalTool.runOffPool("python3", ["-c", probe, "\(receiver.port)"])
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0 True", "\(run.stdout) \(run.stderr)")
        let echo = try await ExternalTool.runOffPool("echoscu", ["-aet", "SITE1", "-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"])
        #expect(echo.status == 0, "\(echo.stderr)")
        #expect(receiver.stop() == 0)
    }
}

/// The driver's `hold` command, running: its output read line by line off the cooperative pool.
final class HeldConnections: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()

    init(driver: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [driver] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.runWithSignalsUnblocked()
    }

    /// The next line the driver prints; "" once it has exited.
    func nextLine() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            BlockingWork.start {
                while !self.buffered.contains(0x0A) {
                    let chunk = self.output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    self.buffered.append(chunk)
                }
                let end = self.buffered.firstIndex(of: 0x0A) ?? self.buffered.endIndex
                let line = String(decoding: self.buffered[self.buffered.startIndex..<end], as: UTF8.self)
                self.buffered = end < self.buffered.endIndex ? Data(self.buffered[(end + 1)...]) : Data()
                continuation.resume(returning: line)
            }
        }
    }

    /// Closes the driver's stdin, which releases the connections; returns its closing line.
    func finish() async throws -> String {
        try? input.fileHandleForWriting.close()
        return try await nextLine()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
