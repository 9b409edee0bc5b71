import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The TCP peer of an association, as a numeric host and a port. An IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`, how a dual-stack socket sees an IPv4 client) is kept in its IPv4 form, so
/// 127.0.0.1 and ::ffff:127.0.0.1 compare equal.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    /// Numeric address: dotted IPv4, or IPv6 in the canonical text form of inet_ntop.
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = Self.normalized(host)
        self.port = port
    }

    /// The address of an IP socket; nil for other kinds (a Unix domain socket).
    public init?(_ address: SocketAddress) {
        guard let host = address.ipAddress, let port = address.port else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The numeric addresses `host` (a name or an address literal) stands for, in the form
    /// `PeerAddress.host` uses; empty when it does not resolve. Blocks on the resolver, so it
    /// belongs at start-up, not in an association's path.
    public static func resolve(_ host: String) -> Set<String> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: Set<String> = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr, let text = numericHost(address, family: info.ai_family) {
                addresses.insert(normalized(text))
            }
            entry = info.ai_next
        }
        return addresses
    }

    private static func numericHost(_ address: UnsafeMutablePointer<sockaddr>, family: Int32) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written: UnsafePointer<CChar>?
        switch family {
        case AF_INET:
            written = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet4 in
                inet_ntop(AF_INET, &inet4.pointee.sin_addr, &text, socklen_t(text.count))
            }
        case AF_INET6:
            written = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                inet_ntop(AF_INET6, &inet6.pointee.sin6_addr, &text, socklen_t(text.count))
            }
        default:
            return nil
        }
        guard written != nil else { return nil }
        return String(cString: text)
    }

    /// Lower case, and the IPv4 form of an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2).
    static func normalized(_ numeric: String) -> String {
        let lower = numeric.lowercased()
        let mappedPrefix = "::ffff:"
        guard lower.hasPrefix(mappedPrefix) else { return lower }
        let tail = String(lower.dropFirst(mappedPrefix.count))
        var probe = in_addr()
        return inet_pton(AF_INET, tail, &probe) == 1 ? tail : lower
    }
}
