import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to tell that a running service answers.
public enum ServiceProbe: Sendable, Equatable {
    /// A TCP connect to the port (for services without a protocol-level check).
    case tcpConnect(port: Int)
    /// A DICOM C-ECHO on a fresh association (dcmrecv).
    case dicomEcho(port: Int, calledAETitle: String, callingAETitle: String)
    /// `GET /healthz` answered 200 over plain HTTP (dcmweb without TLS).
    case httpHealth(port: Int)
}

/// One service of the active node and how to tell that it answers.
public struct ServiceSpec: Sendable, Equatable {
    public let name: String
    /// Checked once the service's process runs; nil: a live process is enough.
    public let probe: ServiceProbe?

    public init(name: String, probe: ServiceProbe? = nil) {
        self.name = name
        self.probe = probe
    }

    /// A service that must accept TCP connections on `port`.
    public init(name: String, port: Int?) {
        self.init(name: name, probe: port.map { .tcpConnect(port: $0) })
    }
}

public enum ServiceState: String, Codable, Sendable {
    /// The process runs and answers its probe.
    case running
    /// The process runs but does not answer its probe (no C-ECHO, or no TCP connect).
    case notAnswering = "not-answering"
    /// No live process for the service's pid file.
    case stopped
}

/// Checks services through their node-local pid files (`RUN_DIR/NAME.pid`, written
/// by the hooks or the systemd units) and their probes: a DICOM C-ECHO for dcmrecv,
/// `GET /healthz` for dcmweb, a TCP connect for other listeners.
public struct ServiceChecker: Sendable {
    public let runDirectory: URL
    public let host: String
    /// Bound on a TCP connect, and on each phase of a C-ECHO.
    public let connectTimeout: TimeInterval

    public init(runDirectory: URL, host: String = "127.0.0.1", connectTimeout: TimeInterval = 5) {
        self.runDirectory = runDirectory
        self.host = host
        self.connectTimeout = connectTimeout
    }

    /// A service's state and, when it is not running, why.
    public struct Check: Sendable, Equatable {
        public let state: ServiceState
        public let detail: String?
    }

    public func state(of service: ServiceSpec) async -> ServiceState { await check(service).state }

    public func check(_ service: ServiceSpec) async -> Check {
        guard isRunning(service.name) else { return Check(state: .stopped, detail: "no live process") }
        switch service.probe {
        case nil:
            return Check(state: .running, detail: nil)
        case .tcpConnect(let port):
            return acceptsConnections(port: port)
                ? Check(state: .running, detail: nil)
                : Check(state: .notAnswering, detail: "no TCP connect to \(host):\(port)")
        case .httpHealth(let port):
            let outcome = HTTPHealthProbe(host: host, port: port, timeout: connectTimeout).run()
            return Check(state: outcome.answered ? .running : .notAnswering, detail: outcome.detail)
        case let .dicomEcho(port, called, calling):
            let outcome = await EchoProbe(host: host, port: port, calledAETitle: called, callingAETitle: calling,
                                          timeout: connectTimeout).run()
            return Check(state: outcome.answered ? .running : .notAnswering, detail: outcome.detail)
        }
    }

    /// The pid file names a live process that still runs the named program
    /// (a recycled pid or a stale file does not count).
    public func isRunning(_ name: String) -> Bool {
        let pidFile = runDirectory.appendingPathComponent("\(name).pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
              let cmdline = Self.readProcFile("/proc/\(pid)/cmdline"),
              let program = cmdline.split(separator: 0, omittingEmptySubsequences: false).first
        else { return false }
        let path = String(decoding: program, as: UTF8.self)
        return path == name || path.hasSuffix("/\(name)")
    }

    /// /proc files report size 0, so they are read until EOF rather than by their size.
    static func readProcFile(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// A non-blocking connect bounded by `connectTimeout`: on the loopback or the node's own bind
    /// address it is answered at once, accepted or refused.
    public func acceptsConnections(port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, Int32(connectTimeout * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
        return error == 0
    }
}
