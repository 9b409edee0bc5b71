/// `[web]`: dcmweb's sessions and HTTPS (docs/configuration.md).
public struct WebSettings: Sendable, Equatable {
    /// Seconds of inactivity after which a browser session ends.
    public var sessionTimeoutSeconds: Int
    /// PEM certificate chain and private key: with both, dcmweb serves HTTPS only.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Under HTTPS, a plain HTTP port whose every request is redirected (308) to HTTPS.
    public var httpRedirectPort: Int?
    /// Where audit rows are also sent as RFC 5424 syslog lines over UDP.
    public var auditSyslog: SyslogDestination?

    /// Seconds without a heartbeat from the reader's viewer after which an in-progress study
    /// counts as unread again (the browser was closed or lost its network).
    public var readingTimeoutSeconds: Int
    /// Seconds without a new instance after which the worklist shows a study as complete rather
    /// than still arriving (routing's on-stable rule, applied to the worklist).
    public var studyStableAfterSeconds: Int
    /// Seconds a request head (request line and header fields) may take from its first byte:
    /// a client trickling its head (slow loris) is answered 408 and cut off.
    public var headerTimeoutSeconds: Int = 20
    /// Bytes per second a request body must average once `headerTimeoutSeconds` have passed
    /// (a body sent slowly but steadily is answered 408 and cut off); 0 sets no minimum.
    public var bodyMinRate: Int = 500
    /// Open connections at once, in total and from one client address; one more is answered 503.
    public var maxConnections: Int = 256
    public var maxConnectionsPerClient: Int = 32
    /// Bytes of one STOW-RS request body; a larger one (declared or sent) is answered 413.
    public var stowMaxBytes: Int64 = 2 << 30

    public init(sessionTimeoutSeconds: Int = 28_800, tlsCertificate: String? = nil, tlsKey: String? = nil,
                httpRedirectPort: Int? = nil, auditSyslog: SyslogDestination? = nil,
                readingTimeoutSeconds: Int = 120, studyStableAfterSeconds: Int = 60) {
        self.sessionTimeoutSeconds = sessionTimeoutSeconds
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.httpRedirectPort = httpRedirectPort
        self.auditSyslog = auditSyslog
        self.readingTimeoutSeconds = readingTimeoutSeconds
        self.studyStableAfterSeconds = studyStableAfterSeconds
    }
}

/// A syslog collector's `host:port` (`[host]:port` for an IPv6 address).
public struct SyslogDestination: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        self.host = host
        self.port = port
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
        if let port = try reader.int("http_redirect_port") {
            guard (1...65_535).contains(port) else { throw reader.invalid("http_redirect_port", "must be 1...65535") }
            guard web.tlsCertificate != nil else {
                throw reader.invalid("http_redirect_port", "redirects to HTTPS: needs tls_certificate and tls_key")
            }
            web.httpRedirectPort = port
        }
        if let text = try reader.string("audit_syslog") {
            guard let destination = SyslogDestination(text) else {
                throw reader.invalid("audit_syslog", "expected host:port, e.g. siem.example.org:514")
            }
            web.auditSyslog = destination
        }
        for key in ["tls_certificate", "tls_key"] {
            if let path = try reader.string(key), path.isEmpty { throw reader.invalid(key, "must not be empty") }
        }
        if let value = try reader.int("reading_timeout") {
            guard (10...86_400).contains(value) else { throw reader.invalid("reading_timeout", "must be 10...86400 seconds") }
            web.readingTimeoutSeconds = value
        }
        if let value = try reader.int("header_timeout") {
            guard (1...300).contains(value) else { throw reader.invalid("header_timeout", "must be 1...300 seconds") }
            web.headerTimeoutSeconds = value
        }
        if let value = try reader.int("body_min_rate") {
            guard (0...1 << 30).contains(value) else { throw reader.invalid("body_min_rate", "must be 0...1073741824 bytes/s") }
            web.bodyMinRate = value
        }
        if let value = try reader.int("max_connections") {
            guard (1...65_535).contains(value) else { throw reader.invalid("max_connections", "must be 1...65535") }
            web.maxConnections = value
        }
        if let value = try reader.int("max_connections_per_client") {
            guard (1...65_535).contains(value) else { throw reader.invalid("max_connections_per_client", "must be 1...65535") }
            web.maxConnectionsPerClient = value
        }
        if let value = try reader.int("stow_max_bytes") {
            guard value >= 1 << 20 else { throw reader.invalid("stow_max_bytes", "must be at least 1048576 (1 MiB)") }
            web.stowMaxBytes = Int64(value)
        }
        if let value = try reader.int("study_stable_after") {
            guard (0...86_400).contains(value) else { throw reader.invalid("study_stable_after", "must be 0...86400 seconds") }
            web.studyStableAfterSeconds = value
        }
        try reader.finish()
        return web
    }
}
