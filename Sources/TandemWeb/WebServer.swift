import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import ServiceLifecycle
import TandemArchive

/// Where and how `dcmweb` serves.
public struct WebServerSettings: Sendable {
    public var bind: String
    public var port: Int
    /// The archive's configuration: `[web]`, `[query]`, `[storage]`, `[node] ae_title`.
    public var archive: TandemConfiguration
    /// Seconds a connection may stay idle between requests or within a body (a head has
    /// `[web] header_timeout`).
    public var idleTimeoutSeconds: Int64 = 60
    /// How often the fence is checked while idle (every write checks it as well).
    public var fenceCheckInterval: Duration = .seconds(5)

    public init(bind: String, port: Int, archive: TandemConfiguration) {
        self.bind = bind
        self.port = port
        self.archive = archive
    }

    var connectionLimits: ConnectionLimits {
        ConnectionLimits(headTimeout: .seconds(Int64(archive.web.headerTimeoutSeconds)),
                         bodyMinimumRate: Int64(archive.web.bodyMinRate),
                         maximumConnections: archive.web.maxConnections,
                         maximumConnectionsPerClient: archive.web.maxConnectionsPerClient)
    }

    /// HTTPS, when `[web]` names a certificate and key.
    var tls: TLSFiles? {
        guard let certificate = archive.web.tlsCertificate, let key = archive.web.tlsKey else { return nil }
        return TLSFiles(certificate: certificate, key: key)
    }
}

/// The HTTP service: routes, middleware and the server's lifetime. Runs until SIGTERM or SIGINT
/// (in-flight requests finish; then it returns) or until the process is fenced by a newer
/// cluster epoch (throws `FencedError`).
public enum WebServer {
    public static func run(index: ArchiveIndex, settings: WebServerSettings, logger: Logger) async throws {
        let syslog = try settings.archive.web.auditSyslog.map {
            try AuditSyslog(destination: $0, sourceID: settings.archive.node.aeTitle)
        }
        let trail = AuditTrail(index: index, syslog: syslog)
        let readingTimeout = TimeInterval(settings.archive.web.readingTimeoutSeconds)
        // STOW-RS parts take temp files created ahead, as dcmrecv's receptions do.
        let pipeline = StorePipeline(index: index, storage: settings.archive.storage,
                                     spareFiles: StorePipeline.receiverSpareFiles, logger: logger)
        defer { pipeline.discardSpareFiles() }
        let router = try makeRouter(index: index, pipeline: pipeline, trail: trail, settings: settings,
                                    assets: try StaticAssets.besideExecutable(), logger: logger)
        // One count for both listeners: the limits are the process's.
        let connections = ConnectionCount(limits: settings.connectionLimits)
        let http = guardedHTTP1(settings: settings, connections: connections, logger: logger)
        let server = try settings.tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: try $0.configuration()) } ?? http
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.bind, port: settings.port), serverName: nil),
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app), .init(service: FenceWatch(index: index, interval: settings.fenceCheckInterval)),
            .init(service: MetadataFiller(index: index, logger: logger)),
            .init(service: ReadingLapseWatch(store: ReadingStatusStore(trail: trail, readingTimeout: readingTimeout),
                                             logger: logger)),
        ]
        if let redirectPort = settings.archive.web.httpRedirectPort, settings.tls != nil {
            services.append(.init(service: HTTPSRedirect.application(
                bind: settings.bind, port: redirectPort, httpsPort: settings.port,
                server: guardedHTTP1(settings: settings, connections: connections, logger: logger), logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }

    /// HTTP/1.1 with the idle timeout and `RequestGuard` on every connection.
    static func guardedHTTP1(settings: WebServerSettings, connections: ConnectionCount,
                             logger: Logger) -> HTTPServerBuilder {
        .http1(configuration: .init(
            additionalChannelHandlers: [RequestGuard(connections: connections, logger: logger)],
            idleTimeout: .seconds(settings.idleTimeoutSeconds),
            // A backstop only: RequestGuard answers 431 well before the decoder's own limits.
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 2 * ConnectionLimits.maximumHeadBytes,
                                            maxHeaderListSize: 2 * ConnectionLimits.maximumHeadBytes)))
    }

    static func makeRouter(index: ArchiveIndex, pipeline: StorePipeline, trail: AuditTrail, settings: WebServerSettings,
                           assets: StaticAssets, logger: Logger) throws -> Router<WebContext> {
        let users = UserDirectory(index: index)
        let sessions = SessionStore(index: index, timeout: TimeInterval(settings.archive.web.sessionTimeoutSeconds))
        let metrics = WebMetrics()
        let authenticator = Authenticator(users: users, sessions: sessions, throttle: SharedLoginThrottle(),
                                          credentials: CredentialCache(), metrics: metrics)
        let router = Router(context: WebContext.self)
        router.add(middleware: AccessLog(logger: logger, metrics: metrics))
        router.add(middleware: authenticator)
        router.add(middleware: AuditMiddleware(trail: trail))
        HealthRoutes(index: index).register(on: router)
        MetricsRoutes(metrics: metrics, index: index, sessions: sessions).register(on: router)
        SessionRoutes(authenticator: authenticator, sessions: sessions, secureCookies: settings.tls != nil,
                      readingTimeoutSeconds: settings.archive.web.readingTimeoutSeconds).register(on: router)
        PageRoutes(assets: assets).register(on: router)
        WorklistRoutes(worklist: Worklist(index: index, configuration: settings.archive)).register(on: router)
        ReadingRoutes(store: ReadingStatusStore(trail: trail,
                                                readingTimeout: TimeInterval(settings.archive.web.readingTimeoutSeconds)))
            .register(on: router)
        QidoRoutes(index: index, options: QueryOptions(caseInsensitiveNames: settings.archive.query.caseInsensitiveNames))
            .register(on: router)
        let scheme = settings.tls == nil ? "http" : "https"
        WadoRoutes(index: index, scheme: scheme).register(on: router)
        RenderedRoutes(index: index).register(on: router)
        ViewerRoutes(index: index, assets: assets).register(on: router)
        StowRoutes(pipeline: pipeline, calledAE: settings.archive.node.aeTitle, scheme: scheme,
                   maximumBodyBytes: settings.archive.web.stowMaxBytes).register(on: router)
        return router
    }
}

/// The PEM files of `[web] tls_certificate` and `tls_key`.
struct TLSFiles {
    var certificate: String
    var key: String

    /// A file that cannot be read or parsed is a configuration error (exit 78), named by its key.
    func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw ConfigurationError(file: "tandem.toml", line: nil, key: "tls_certificate",
                                     reason: "cannot read a PEM certificate from \(certificate): \(error)")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw ConfigurationError(file: "tandem.toml", line: nil, key: "tls_key",
                                     reason: "cannot read a PEM private key from \(key): \(error)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                        privateKey: .privateKey(privateKey))
    }
}

/// Ends the service group once this process has been fenced (docs/design.md, "Cluster model"):
/// a stale dcmweb must not keep serving writes, and an idle one should notice too.
struct FenceWatch: Service {
    let index: ArchiveIndex
    let interval: Duration

    func run() async throws {
        do {
            // A graceful shutdown cancels the sleep at once: SIGTERM need not wait for the next check.
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        try index.checkEpoch()
                    } catch let fenced as FencedError {
                        throw fenced
                    } catch {
                        continue  // the index busy or briefly unreadable: /healthz reports it, the next check retries
                    }
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
