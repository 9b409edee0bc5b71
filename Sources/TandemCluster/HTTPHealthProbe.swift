import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `GET /healthz` over plain HTTP/1.0 (dcmweb): the service answers when the status line says
/// 200, which dcmweb sends only while the index is readable, the data root writable and this
/// node holds the cluster epoch. Every step is bounded by the timeout.
struct HTTPHealthProbe {
    let host: String
    let port: Int
    let timeout: TimeInterval

    struct Outcome: Equatable {
        var answered: Bool
        var detail: String?
    }

    func run() -> Outcome {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return Outcome(answered: false, detail: "bad host \(host)") }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return Outcome(answered: false, detail: "no socket") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Outcome(answered: false, detail: "no TCP connect to \(host):\(port)") }
        let request = Array("GET /healthz HTTP/1.0\r\nHost: \(host):\(port)\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else {
            return Outcome(answered: false, detail: "GET /healthz not sent")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while response.count < 4096 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let statusLine = text.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            let body = text.components(separatedBy: "\r\n\r\n").dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines)
            return Outcome(answered: false, detail: "/healthz: \(statusLine.isEmpty ? "no answer" : statusLine)"
                           + (body.map { $0.isEmpty ? "" : " (\($0.prefix(200)))" } ?? ""))
        }
        return Outcome(answered: true, detail: nil)
    }
}
