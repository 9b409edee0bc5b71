import Foundation
import Testing
@testable import TandemCluster
#if canImport(Glibc)
import Glibc
#endif

/// The C-ECHO probe that tells clusterctl whether dcmrecv serves, against DCMTK's storescp (a
/// real, independent DICOM listener) and against sockets that accept TCP but do not speak DICOM.
@Suite("C-ECHO probe", .serialized)
struct EchoProbeTests {
    func probe(_ port: Int, called: String = "ANY-SCP") -> EchoProbe {
        EchoProbe(host: "127.0.0.1", port: port, calledAETitle: called, callingAETitle: "CLUSTERCTL", timeout: 3)
    }

    @Test func aDICOMListenerAnswersTheEcho() async throws {
        let scp = try StoreSCP()
        defer { scp.stop() }
        let outcome = await probe(scp.port).run()
        #expect(outcome.answered, "\(outcome.detail)")
        #expect(outcome.detail.contains("C-ECHO 0000H"))
    }

    @Test func aPortThatAcceptsTCPButNeverAnswersDICOMIsNotAnswering() async throws {
        let silent = try RawListener(reply: nil)
        defer { silent.stop() }
        // The old check's view: the kernel completes the handshake, so "it answers".
        #expect(ServiceChecker(runDirectory: URL(fileURLWithPath: "/nonexistent")).acceptsConnections(port: silent.port))
        let outcome = await probe(silent.port).run()
        #expect(!outcome.answered)
        #expect(outcome.detail.contains("no A-ASSOCIATE answer"))
    }

    @Test func aClosedPortIsNotAnswering() async throws {
        let closed = try RawListener(reply: nil)
        let port = closed.port
        closed.stop()
        #expect(await !probe(port).run().answered)
    }

    /// With `require_known_callers`, dcmrecv rejects a probe that is not a [[peer]]; the rejection
    /// still proves that the listener parsed the request and answered.
    @Test func anAssociationRejectionCountsAsAnswering() async throws {
        // A-ASSOCIATE-RJ: type 03, length 4, reserved, result 1 (permanent), source 1 (user),
        // reason 3 (calling AE title not recognized) — PS3.8 §9.3.4.
        let rejecting = try RawListener(reply: [0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x01, 0x03])
        defer { rejecting.stop() }
        let outcome = await probe(rejecting.port).run()
        #expect(outcome.answered)
        #expect(outcome.detail.contains("rejected"))
    }

    @Test func aServiceIsRunningOnlyWhenItsProcessLivesAndAnswersTheEcho() async throws {
        let scp = try StoreSCP()
        defer { scp.stop() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let checker = ServiceChecker(runDirectory: scratch.run, connectTimeout: 3)
        let service = ServiceSpec(name: "storescp", probe: .dicomEcho(port: scp.port, calledAETitle: "ANY-SCP",
                                                                      callingAETitle: "CLUSTERCTL"))
        #expect(await checker.state(of: service) == .stopped)
        try "\(scp.pid)\n".write(to: scratch.run.appendingPathComponent("storescp.pid"), atomically: true, encoding: .utf8)
        #expect(await checker.state(of: service) == .running)

        kill(scp.pid, SIGSTOP)  // alive, port open, but it cannot answer
        let stopped = await checker.check(service)
        kill(scp.pid, SIGCONT)
        #expect(stopped.state == .notAnswering)
        #expect(stopped.detail?.contains("no A-ASSOCIATE answer") == true)
    }

    /// Many probes at once from Swift's cooperative pool (more than the pool has threads on a
    /// small machine) all complete: a probe suspends while it waits, it blocks no thread.
    @Test func probesFromManyConcurrentTasksAllComplete() async throws {
        let scp = try StoreSCP()
        defer { scp.stop() }
        let target = probe(scp.port)
        let answered = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { await target.run().answered } }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(answered == Array(repeating: true, count: 8))
    }
}

/// DCMTK's storescp on a free loopback port, stopped by PID.
final class StoreSCP {
    let process = Process()
    let port: Int
    var pid: Int32 { process.processIdentifier }

    init() throws {
        port = try RawListener.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/storescp")
        process.arguments = ["-od", FileManager.default.temporaryDirectory.path, "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 where process.isRunning {
            if ServiceChecker(runDirectory: URL(fileURLWithPath: "/nonexistent")).acceptsConnections(port: port) { return }
            usleep(50_000)
        }
        stop()
        throw RawListener.Failure("storescp did not start on port \(port)")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGCONT)
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}

/// A loopback TCP listener that accepts connections and either stays silent or writes `reply`
/// once the peer's first bytes arrive: a process that holds a DICOM port without serving it.
final class RawListener: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private var clients: [Int32] = []

    init(reply: [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        } && listen(fd, 8) == 0
        guard fd >= 0, ready else { throw Failure("cannot listen on loopback") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve(reply) }
        thread.start()
    }

    /// Only this thread closes descriptors: were `stop()` to close the listening socket, a thread
    /// not yet scheduled (a loaded machine) could call `accept` on a number the kernel has since
    /// given to another test's listener, and silently take its connections.
    private func serve(_ reply: [UInt8]?) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { break }  // shut down by stop()
            let accepted = lock.withLock { () -> Bool in
                if !stopped { clients.append(client) }
                return !stopped
            }
            guard accepted else { close(client); break }
            guard let reply else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        }
        for client in lock.withLock({ clients }) { close(client) }
        close(fd)
    }

    /// Ends every connection and the listening socket; the serving thread then closes them.
    func stop() {
        let open = lock.withLock { () -> [Int32] in
            defer { stopped = true }
            return stopped ? [] : clients + [fd]
        }
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        return address
    }

    static func freePort() throws -> Int {
        let listener = try RawListener(reply: nil)
        defer { listener.stop() }
        return listener.port
    }
}
