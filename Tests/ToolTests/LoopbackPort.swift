import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for the test servers.
///
/// Taken below the kernel's ephemeral range (`ip_local_port_range`, 32768–60999 by default): a port
/// read back from `bind(0)` is an ephemeral one, and the outgoing connections of a concurrent test
/// (hundreds, in the hostile-load tests) could take it before the server binds it. Each call of
/// this process moves on to the next port, so two tests never get the same one; the scripts the
/// tests run take theirs from 26000-32000 (`scripts/lib/ports.sh`), so neither allocator can hand
/// out a port the other chose and has not bound yet.
enum LoopbackPort {
    private static let range = 20_000..<26_000
    private static let next = Mutex(Int.random(in: range))

    /// A port nobody listens on right now.
    static func free() throws -> Int {
        for _ in 0..<range.count {
            let port = next.withLock { current in
                defer { current = current + 1 < range.upperBound ? current + 1 : range.lowerBound }
                return current
            }
            if canBind(port) { return port }
        }
        throw ExternalTool.Failure("no free port in \(range)")
    }

    /// Whether a TCP connection to the port succeeds now.
    static func canConnect(_ port: Int) -> Bool {
        withSocket(port) { fd, address, length in connect(fd, address, length) == 0 }
    }

    private static func canBind(_ port: Int) -> Bool {
        withSocket(port) { fd, address, length in bind(fd, address, length) == 0 }
    }

    private static func withSocket(_ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}
