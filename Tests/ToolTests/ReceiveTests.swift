import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// A `dcmrecv` started on a free 127.0.0.1 port with a fresh data root; stopped by PID.
final class RunningReceiver {
    let root: URL
    private let server: ServingTool

    /// - Parameters:
    ///   - root: the data root; nil for a fresh one under the temp directory.
    ///   - epoch: `TANDEM_EPOCH`, as a promote hook sets it; nil for none.
    init(root: URL? = nil, aeTitle: String = "TANDEM", extraArguments: [String] = [], epoch: Int64? = nil) throws {
        let root = root ?? FileManager.default.temporaryDirectory.appendingPathComponent("tandem-recv-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.root = root
        server = try ServingTool("dcmrecv", epoch: epoch) { port in
            ["--root", root.path, "--bind", "127.0.0.1", "--port", "\(port)", "--aet", aeTitle] + extraArguments
        }
    }

    var port: Int { server.port }
    var process: Process { server.process }
    var logText: String { server.logText }

    /// SIGTERM, then the exit status (a graceful stop is 0).
    func stop() -> Int32 { server.stop() }

    func remove() {
        server.remove()
        try? FileManager.default.removeItem(at: root)
    }

    /// Indexed SOP Instance UID → file path, read with the sqlite3 shell.
    func indexedInstances() throws -> [String: String] {
        let run = try ExternalTool.run("sqlite3", [root.appendingPathComponent("index.sqlite").path,
                                                   "SELECT sop_instance_uid || '|' || file_path FROM instance"])
        var result: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }
}

/// Runs a system program (DCMTK, sqlite3) and captures its output. `/usr/bin` comes first: Python
/// packages install programs of the same names (`storescu`, `echoscu`) earlier on some PATHs.
enum ExternalTool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func run(_ name: String, _ arguments: [String]) throws -> ToolRun {
        let system = "/usr/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: system) else {
            return try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments)
        }
        return try ToolRunner.capture(URL(fileURLWithPath: system), arguments)
    }

    /// `dcmdump` of the data set only (no meta header), for comparing sent and stored content.
    static func dataSetDump(_ path: String) throws -> String {
        try run("dcmdump", ["-q", "+L", path]).stdout
            .split(separator: "\n").filter { !$0.contains("(0002,") }.joined(separator: "\n")
    }
}

@Suite("dcmrecv with DCMTK peers", .serialized)
struct ReceiveTests {
    static func synthetic(_ syntax: TransferSyntax, count: Int = 2) throws -> (URL, [URL]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-recv-in-\(UUID().uuidString)")
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: count, instanceSize: 12 * 1024,
                                                          transferSyntax: syntax, patientName: "Ström^Åsa"))
            .write(to: directory)
        return (directory, files)
    }

    /// Each sent file must be indexed and stored with the same data set content.
    static func expectArchived(_ files: [URL], in receiver: RunningReceiver) throws {
        let indexed = try receiver.indexedInstances()
        for file in files {
            let uid = try DICOMFile(path: file.path, options: .headerOnly).dataSet.string(.sopInstanceUID) ?? ""
            let stored = try #require(indexed[uid], "\(uid) not indexed")
            let storedPath = receiver.root.appendingPathComponent(stored).path
            #expect(try ExternalTool.dataSetDump(storedPath) == ExternalTool.dataSetDump(file.path))
        }
    }

    @Test("echoscu is answered; SIGTERM stops dcmrecv with status 0")
    func echo() throws {
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        #expect(try ExternalTool.run("echoscu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"]).status == 0)
        #expect(receiver.stop() == 0)
    }

    @Test("a wrong called AE title is rejected; --any-called-aet accepts it")
    func calledAETitle() throws {
        let strict = try RunningReceiver()
        defer { strict.remove() }
        let refused = try ExternalTool.run("echoscu", ["-aec", "SOMEONE", "127.0.0.1", "\(strict.port)"])
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("Called AE Title Not Recognized"))
        let open = try RunningReceiver(extraArguments: ["--any-called-aet"])
        defer { open.remove() }
        #expect(try ExternalTool.run("echoscu", ["-aec", "SOMEONE", "127.0.0.1", "\(open.port)"]).status == 0)
    }

    @Test("storescu in each uncompressed syntax: acknowledged instances are indexed with identical content",
          arguments: [("implicit-le", TransferSyntax.implicitVRLittleEndian, "-xi"),
                      ("explicit-le", .explicitVRLittleEndian, "-xe"), ("big-endian", .explicitVRBigEndian, "-xb"),
                      ("deflated", .deflatedExplicitVRLittleEndian, "-xd")])
    func storeUncompressed(name: String, syntax: TransferSyntax, proposal: String) throws {
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        let (directory, files) = try Self.synthetic(syntax)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", proposal, "+sd", "+r", "127.0.0.1",
                                                     "\(receiver.port)", directory.path])
        #expect(sent.status == 0, "\(name): \(sent.stderr)")
        try Self.expectArchived(files, in: receiver)
    }

    @Test("compressed syntaxes (JPEG lossless, RLE, JPEG-LS) are stored as received",
          arguments: [("dcmcjpeg", "-xs"), ("dcmcrle", "-xr"), ("dcmcjpls", "-xt")])
    func storeCompressed(compressor: String, proposal: String) throws {
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        let (directory, originals) = try Self.synthetic(.explicitVRLittleEndian, count: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let compressed = directory.appendingPathComponent("compressed.dcm")
        let made = try ExternalTool.run(compressor, [originals[0].path, compressed.path])
        try #require(made.status == 0, "\(compressor): \(made.stderr)")
        try FileManager.default.removeItem(at: originals[0])
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", proposal, "127.0.0.1", "\(receiver.port)",
                                                     compressed.path])
        #expect(sent.status == 0, "\(sent.stderr)")
        try Self.expectArchived([compressed], in: receiver)
    }

    @Test("32 associations at once are all served")
    func concurrentAssociations() throws {
        let receiver = try RunningReceiver()
        defer { receiver.remove() }
        let (directory, files) = try Self.synthetic(.explicitVRLittleEndian, count: 32)
        defer { try? FileManager.default.removeItem(at: directory) }
        let senders = try files.map { file in
            try ChildProcess("/usr/bin/storescu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)", file.path])
        }
        let deadline = Date().addingTimeInterval(300)
        for run in senders.map({ $0.wait(until: deadline) }) {
            #expect(run.status == 0, "\(run.stderr)")
        }
        try Self.expectArchived(files, in: receiver)
    }

    @Test("exit codes: 74 when the port is taken, 75 under a stale TANDEM_EPOCH, 78 for a bad tandem.toml")
    func exitCodes() throws {
        let running = try RunningReceiver()
        defer { running.remove() }
        let listen = ["--root", running.root.path, "--bind", "127.0.0.1", "--port", "\(running.port)"]
        #expect(try ToolRunner.run("dcmrecv", listen).status == 74)
        let fenced = try ToolRunner.run("dcmrecv", listen, environment: ["TANDEM_EPOCH": "99"])
        #expect(fenced.status == 75)
        #expect(fenced.stderr.contains("fenced"))

        let badRoot = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-recv-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: badRoot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: badRoot) }
        try "[storage]\nduplicate_policy = \"sometimes\"\n".write(
            to: badRoot.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
        let misconfigured = try ToolRunner.run("dcmrecv", ["--root", badRoot.path, "--port", "0"])
        #expect(misconfigured.status == 78)
        #expect(misconfigured.stderr.contains("tandem.toml:2"))
    }
}
