/// `[web]`: dcmweb's sessions and HTTPS (docs/configuration.md).
public struct WebSettings: Sendable, Equatable {
    /// Seconds of inactivity after which a browser session ends.
    public var sessionTimeoutSeconds: Int
    /// PEM certificate chain and private key: with both, dcmweb serves HTTPS only.
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init(sessionTimeoutSeconds: Int = 28_800, tlsCertificate: String? = nil, tlsKey: String? = nil) {
        self.sessionTimeoutSeconds = sessionTimeoutSeconds
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }
}

extension TandemConfiguration {
    static func readWeb(_ reader: TableReader) throws -> WebSettings {
        var web = WebSettings()
        if let value = try reader.int("session_timeout") {
            guard value >= 60 else { throw reader.invalid("session_timeout", "must be at least 60 seconds") }
            web.sessionTimeoutSeconds = value
        }
        web.tlsCertificate = try reader.string("tls_certificate")
        web.tlsKey = try reader.string("tls_key")
        switch (web.tlsCertificate, web.tlsKey) {
        case (_?, nil): throw reader.invalid("tls_certificate", "needs tls_key too: HTTPS takes a certificate and its key")
        case (nil, _?): throw reader.invalid("tls_key", "needs tls_certificate too: HTTPS takes a certificate and its key")
        default: break
        }
        for key in ["tls_certificate", "tls_key"] {
            if let path = try reader.string(key), path.isEmpty { throw reader.invalid(key, "must not be empty") }
        }
        try reader.finish()
        return web
    }
}
