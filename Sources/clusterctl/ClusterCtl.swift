import ArgumentParser
import TandemArchive
import TandemCLI
import TandemCluster

@main
struct ClusterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterctl",
        abstract: "Node role for the active/passive pair: status, promote, demote, monitor; fsck checks the archive.",
        discussion: """
        Called by the cluster manager (the ocf:tandem:tandem agent, keepalived's tandem-notify).
        The epoch it bumps on promote is the fencing token every write transaction checks.

        Example:
          clusterctl status --root /srv/tandem --json
        """,
        version: TandemVersion.string,
        subcommands: [Promote.self, Demote.self, Monitor.self, Status.self, Fsck.self])
}

/// Options every role subcommand shares: where the data, hooks and node-local state are.
struct NodeOptions: ParsableArguments {
    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("Configuration file (default: ROOT/tandem.toml).", valueName: "file"))
    var config: String?

    @Option(help: "This node's name (default: $TANDEM_NODE, else the host name; never from tandem.toml).")
    var node: String?

    @Option(help: ArgumentHelp("Hooks directory holding promote.d/ and demote.d/ (default: [cluster] hooks).",
                               valueName: "dir"))
    var hooks: String?

    @Option(name: .customLong("run-dir"),
            help: ArgumentHelp("Node-local state and pid files (default: $TANDEM_RUN_DIR, else /run/tandem).",
                               valueName: "dir"))
    var runDirectory: String?

    @Option(help: "Services the hooks run, space or comma separated (default: $TANDEM_SERVICES, else dcmrecv dcmroute dcmweb).")
    var services: String?

    @Option(name: .customLong("verify-timeout"), help: "Seconds the services get to answer after promote.")
    var verifyTimeout: Double = 30

    @Option(name: .customLong("probe-aet"),
            help: "Calling AE title of the C-ECHO that checks dcmrecv (default: $TANDEM_PROBE_AET, else CLUSTERCTL).")
    var probeAETitle: String?

    /// The shared configuration (a broken one exits 78 through the frame).
    func configuration(_ tool: TandemTool) throws -> TandemConfiguration {
        try tool.configuration(of: root.dataRoot, file: config)
    }

    func clusterNode(_ configuration: TandemConfiguration) throws -> ClusterNode {
        let names = ClusterNode.serviceNames(option: services)
        guard !names.isEmpty else { throw ValidationError("--services names no service") }
        var overrides = ClusterNode.Overrides()
        overrides.node = node
        overrides.hooksDirectory = hooks
        overrides.runDirectory = runDirectory
        overrides.probeAETitle = probeAETitle
        overrides.verifyTimeout = verifyTimeout
        return ClusterNode(root: root.dataRoot, configuration: configuration, services: names, overrides: overrides)
    }
}

/// A role subcommand: it names itself "clusterctl" on stderr.
protocol NodeCommand: TandemCommand {
    var options: NodeOptions { get }
}

extension NodeCommand {
    static var toolName: String { "clusterctl" }
    var logging: LoggingOptions { options.logging }
}
