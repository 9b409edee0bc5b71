import Hummingbird
import HummingbirdCore
import Logging

/// `[web] http_redirect_port`: a plain HTTP listener beside the HTTPS one that answers every
/// request with 308 Permanent Redirect (RFC 9110 §15.4.9: the method and body are kept) to the
/// same path and query over HTTPS. It serves nothing else, so nothing leaves in clear text.
enum HTTPSRedirect {
    static func application(bind: String, port: Int, httpsPort: Int, server: HTTPServerBuilder,
                            logger: Logger) -> some ApplicationProtocol {
        Application(
            responder: CallbackResponder { (request: Request, _: BasicRequestContext) in
                Response(status: .permanentRedirect,
                         headers: [.location: location(authority: request.head.authority, bindAddress: bind,
                                                       path: request.uri.description, httpsPort: httpsPort),
                                   .contentLength: "0"])
            },
            server: server,
            configuration: .init(address: .hostname(bind, port: port), serverName: nil),
            logger: logger)
    }

    /// The HTTPS URL: the host the client asked for (its port replaced), else the listening address.
    static func location(authority: String?, bindAddress: String, path: String, httpsPort: Int) -> String {
        var host = authority ?? ""
        if host.hasPrefix("[") {
            host = host.firstIndex(of: "]").map { String(host[...$0]) } ?? ""  // [IPv6]:port
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        if host.isEmpty || !host.allSatisfy({ $0.isLetter || $0.isNumber || "-.[]:".contains($0) }) {
            host = bindAddress.contains(":") ? "[\(bindAddress)]" : bindAddress
        }
        let port = httpsPort == 443 ? "" : ":\(httpsPort)"
        return "https://\(host)\(port)\(path.hasPrefix("/") ? path : "/" + path)"
    }
}
