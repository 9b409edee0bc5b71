import Foundation
import Testing

/// A writer that dies in the middle of a file flush while the node runs on (a second receiver on
/// the same data root, killed with SIGKILL; a `dcmweb` killed during a STOW is the same case):
/// the row it committed is noted as unflushed, hidden and holding the routing cursor. The
/// `dcmroute` that keeps running settles the note and routes the instance; nothing is restarted.
@Suite("a writer killed during a file flush, settled by the running dcmroute", .serialized)
struct RouteDeadWriterTests {
    @Test("the note of a writer killed mid-flush is settled and its instance routed without a restart",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), "needs strace"))
    func deadWritersNoteIsSettledLive() async throws {
        let lab = try RoutingLab(routes: RouteTests.onReceive)
        defer { lab.remove() }
        try await lab.startDestination()
        try await lab.startReceiver()
        try lab.startRouter()
        let router = try #require(lab.router)

        // The writer that dies: dcmrecv under strace, every fsync held 10 s (SQLite's fdatasync is
        // not), so its row is committed, and noted, while its file's flush is held. Held 3 s, a
        // loaded machine let the flush end, and the writer clear its own note, before the kill;
        // its directory flushes are held too, before the row is committed, so not much longer.
        let port = try LoopbackPort.free()
        let tracer = Process()
        tracer.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        tracer.arguments = ["-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=10000000",
                            ToolRunner.productsDirectory.appendingPathComponent("dcmrecv").path,
                            "--root", lab.root.path, "--bind", "127.0.0.1", "--port", "\(port)", "--aet", "TANDEM"]
        tracer.standardOutput = FileHandle.nullDevice
        tracer.standardError = FileHandle.nullDevice
        try tracer.runWithSignalsUnblocked()
        defer {
            kill(tracer.processIdentifier, SIGKILL)
            tracer.waitUntilExit()
        }
        #expect(try await eventually(seconds: 60) { LoopbackPort.canConnect(port) })
        let writer = try #require(Self.child(of: tracer.processIdentifier))

        let instance = try #require(try lab.study(count: 1).first)
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/storescu")
        sender.arguments = ["-aet", "SITE1", "-aec", "TANDEM", "127.0.0.1", "\(port)", instance.file.path]
        sender.standardOutput = FileHandle.nullDevice
        sender.standardError = FileHandle.nullDevice
        try sender.runWithSignalsUnblocked()
        defer {
            if sender.isRunning { kill(sender.processIdentifier, SIGKILL) }
            sender.waitUntilExit()
        }
        // Every flush before the commit (directories on the way) is held too: minutes under load.
        #expect(try await eventually(seconds: 300) { try await lab.sql("SELECT count(*) FROM unflushed_object") == "1" })
        // Not routed while noted: the cursor stops below the row.
        #expect(lab.receptions().isEmpty)
        #expect(kill(writer, SIGKILL) == 0)

        #expect(try await eventually(seconds: 60) { lab.receptions()[instance.uid] == 1 }, "\(lab.routerLog)")
        #expect(try await lab.sql("SELECT count(*) FROM unflushed_object") == "0")
        #expect(try await lab.sql("SELECT count(*) FROM instance") == "1")
        #expect(lab.routerLog.contains("settled the notes of dead writers"), "\(lab.routerLog)")
        #expect(router.isRunning && lab.router === router)
    }

    /// The first child process of `pid` (strace's tracee).
    private static func child(of pid: Int32) -> Int32? {
        let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        return children?.split(separator: " ").first.flatMap { Int32($0) }
    }
}
