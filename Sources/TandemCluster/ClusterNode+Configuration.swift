import Foundation
import TandemArchive

extension ClusterNode {
    /// What the command line sets of a node; nil leaves it to the environment, then the default.
    public struct Overrides: Sendable {
        public var node: String?
        public var hooksDirectory: String?
        public var runDirectory: String?
        public var probeAETitle: String?
        public var verifyTimeout: TimeInterval = 30

        public init() {}
    }

    /// The services a node runs: `option`, else `$TANDEM_SERVICES`, else dcmrecv, dcmroute and
    /// dcmweb; names separated by spaces or commas.
    public static func serviceNames(option: String?,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        (option ?? environment["TANDEM_SERVICES"] ?? "dcmrecv dcmroute dcmweb")
            .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }

    /// The node on the archive of `root` as `clusterctl` runs it (docs/ha.md): the shared
    /// configuration, then the overrides, then the node-local environment (`$TANDEM_NODE`,
    /// `$TANDEM_RUN_DIR`, `$TANDEM_PROBE_AET`).
    public init(root: DataRoot, configuration: TandemConfiguration, services: [String], overrides: Overrides,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        // dcmrecv must answer a DICOM C-ECHO on its port and AE title, as the imaging centres see it.
        let echo = ServiceProbe.dicomEcho(
            port: configuration.node.dicomPort, calledAETitle: configuration.node.aeTitle,
            callingAETitle: overrides.probeAETitle ?? environment["TANDEM_PROBE_AET"] ?? "CLUSTERCTL")
        let settings = Settings(
            root: root.url,
            node: NodeIdentity.name(option: overrides.node, environment: environment),
            hooksDirectory: URL(fileURLWithPath: overrides.hooksDirectory ?? configuration.cluster.hooksDirectory),
            runDirectory: URL(fileURLWithPath: overrides.runDirectory ?? environment["TANDEM_RUN_DIR"] ?? "/run/tandem"),
            services: services.map { ServiceSpec(name: $0, probe: Self.probe(of: $0, echo: echo, configuration: configuration)) },
            verifyTimeout: overrides.verifyTimeout)
        // dcmrecv and dcmweb listen on [node] bind; a wildcard bind answers on loopback.
        let bind = configuration.node.bind
        let probeHost = bind == "0.0.0.0" || bind.isEmpty ? "127.0.0.1" : bind
        self.init(settings: settings,
                  authority: ArchiveEpochAuthority(root: root, storage: configuration.storage),
                  housekeeping: ArchiveHousekeeping(root: root, storage: configuration.storage),
                  checker: ServiceChecker(runDirectory: settings.runDirectory, host: probeHost))
    }

    /// dcmweb answers `/healthz` (over HTTPS only a TCP connect can be checked without its certificate).
    static func probe(of service: String, echo: ServiceProbe, configuration: TandemConfiguration) -> ServiceProbe? {
        switch service {
        case "dcmrecv": echo
        case "dcmweb" where configuration.web.tlsCertificate == nil: .httpHealth(port: configuration.node.httpPort)
        case "dcmweb": .tcpConnect(port: configuration.node.httpPort)
        default: nil
        }
    }
}
