import Foundation
import Testing
@testable import TandemCluster
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServiceCheckTests {
    @Test func aStaleOrForeignPidFileIsNotARunningService() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let checker = ServiceChecker(runDirectory: scratch.run)
        #expect(!checker.isRunning("dcmrecv"))
        // Our own pid runs the test binary, not dcmrecv: a recycled pid must not count.
        try "\(getpid())\n".write(to: scratch.run.appendingPathComponent("dcmrecv.pid"), atomically: true, encoding: .utf8)
        #expect(!checker.isRunning("dcmrecv"))
    }

    @Test func connectCheckSeesAListenerAndAClosedPort() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

        let checker = ServiceChecker(runDirectory: URL(fileURLWithPath: "/nonexistent"))
        #expect(checker.acceptsConnections(port: port))
        #expect(!checker.acceptsConnections(port: 1))
    }
}
