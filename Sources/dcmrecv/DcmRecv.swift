import ArgumentParser
import Logging
import TandemArchive
import TandemCLI
import TandemReceiver

@main
struct DcmRecv: TandemCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmrecv",
        abstract: "The archive's DICOM listener (SCP): C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET, storage commitment.",
        discussion: """
        Listens for DICOM associations and stores every received instance durably under the
        data root before acknowledging it. Settings come from ROOT/tandem.toml; options override
        them. Stops gracefully on SIGTERM or SIGINT; exits 75 when fenced by a newer cluster epoch, and 7
        when started without TANDEM_EPOCH on a passive node (one whose run directory, $TANDEM_RUN_DIR or
        /run/tandem, holds no proof of the current promotion): it then touches nothing.

        Example:
          dcmrecv --root /srv/tandem --port 11112 --aet TANDEM
        """,
        version: TandemVersion.string)

    @Option(name: .shortAndLong, help: "TCP port to listen on (default: [node] dicom_port, else 11112).")
    var port: Int?

    @Option(name: [.customShort("a"), .customLong("aet")], help: "Our AE title (default: [node] ae_title, else TANDEM).")
    var aeTitle: String?

    @Flag(name: .customLong("any-called-aet"), help: "Accept associations whatever called AE title they name.")
    var anyCalledAE = false

    @Option(name: .long, help: "Address to listen on (default: [node] bind, else 0.0.0.0).")
    var bind: String?

    @Option(name: .customLong("grace-period"), help: "Seconds in-flight associations may take after SIGTERM.")
    var gracePeriod: Int = 30

    @Flag(name: .customLong("phase-stats"),
          help: "On stopping, log each ingest phase's per-instance p50 and p90 (receive, write, flushes, index commit, response).")
    var phaseStats = false

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    func run(_ tool: TandemTool) async throws {
        // Watched from the start: a SIGTERM during recovery stops the receiver once it is up.
        try await tool.withStopSignals { signals in
            let logger = Logger(label: "dcmrecv")
            let dataRoot = root.dataRoot
            let settings = try tool.configuration(of: dataRoot)
            let node = settings.node
            let policy = AssociationPolicy(
                aeTitle: aeTitle ?? node.aeTitle, acceptAnyCalledAE: anyCalledAE,
                requireKnownCallers: settings.security.requireKnownCallers,
                knownCallers: settings.peers,
                preferUncompressed: settings.storage.preferUncompressed)
            let listener = ListenerSettings(bind: bind ?? node.bind, port: port ?? node.dicomPort,
                                            gracePeriod: .seconds(max(gracePeriod, 0)), limits: settings.limits)
            guard (0...65_535).contains(listener.port) else { throw ToolError(.usage, "port \(listener.port) out of range") }

            // The first start creates the archive (docs/design.md, "Cluster model").
            let archive = try tool.openArchive(dataRoot, configuration: settings, creating: true)
            let pipeline = try tool.onArchive("open", at: dataRoot) {
                try StorePipeline.open(index: archive.index, storage: settings.storage,
                                       spareFiles: StorePipeline.receiverSpareFiles, logger: logger)
            }
            defer { pipeline.discardSpareFiles() }
            let stop = try await ReceiverService.run(pipeline: pipeline, policy: policy, query: settings.query,
                                                     peers: settings.peers, commitment: settings.commitment,
                                                     retry: settings.retry, listener: listener, signals: signals,
                                                     logger: logger)
            if phaseStats { pipeline.phaseStatistics.log(to: logger) }
            if case .fenced(let reason) = stop { throw ToolError(.temporaryFailure, reason) }
        }
    }
}
