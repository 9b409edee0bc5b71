/// `[web]`: dcmweb's sessions (docs/configuration.md).
public struct WebSettings: Sendable, Equatable {
    /// Seconds of inactivity after which a browser session ends.
    public var sessionTimeoutSeconds: Int

    public init(sessionTimeoutSeconds: Int = 28_800) {
        self.sessionTimeoutSeconds = sessionTimeoutSeconds
    }
}

extension TandemConfiguration {
    static func readWeb(_ reader: TableReader) throws -> WebSettings {
        var web = WebSettings()
        if let value = try reader.int("session_timeout") {
            guard value >= 60 else { throw reader.invalid("session_timeout", "must be at least 60 seconds") }
            web.sessionTimeoutSeconds = value
        }
        try reader.finish()
        return web
    }
}
