import ArgumentParser
import Foundation
import Logging
import TandemArchive
import TandemCLI
import TandemCluster

@main
struct ClusterCtl: ParsableCommand {
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

/// Options every subcommand shares: where the data, hooks and node-local state are.
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

    @Option(help: "Services the hooks run, space or comma separated (default: $TANDEM_SERVICES, else dcmrecv dcmroute).")
    var services: String?

    @Option(name: .customLong("verify-timeout"), help: "Seconds the services get to answer after promote.")
    var verifyTimeout: Double = 30

    @Option(name: .customLong("probe-aet"),
            help: "Calling AE title of the C-ECHO that checks dcmrecv (default: $TANDEM_PROBE_AET, else CLUSTERCTL).")
    var probeAETitle: String?

    /// The shared configuration; a broken one is a configuration error (exit 78) for promote and status.
    func configuration() throws -> TandemConfiguration {
        do {
            return try loadConfiguration()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("clusterctl: \(error)\n".utf8))
            throw TandemExit.configuration.exitCode
        }
    }

    func loadConfiguration() throws -> TandemConfiguration {
        try config.map { try TandemConfiguration.load(file: URL(fileURLWithPath: $0)) }
            ?? TandemConfiguration.load(root: root.dataRoot)
    }

    func clusterNode(_ configuration: TandemConfiguration) throws -> ClusterNode {
        let environment = ProcessInfo.processInfo.environment
        let dataRoot = root.dataRoot
        let names = (services ?? environment["TANDEM_SERVICES"] ?? "dcmrecv dcmroute")
            .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !names.isEmpty else { throw ValidationError("--services names no service") }
        // dcmrecv must answer a DICOM C-ECHO on its port and AE title, as the imaging centres see it.
        let echo = ServiceProbe.dicomEcho(
            port: configuration.node.dicomPort, calledAETitle: configuration.node.aeTitle,
            callingAETitle: probeAETitle ?? environment["TANDEM_PROBE_AET"] ?? "CLUSTERCTL")
        let settings = ClusterNode.Settings(
            root: dataRoot.url,
            node: NodeIdentity.name(option: node, environment: environment),
            hooksDirectory: URL(fileURLWithPath: hooks ?? configuration.cluster.hooksDirectory),
            runDirectory: URL(fileURLWithPath: runDirectory ?? environment["TANDEM_RUN_DIR"] ?? "/run/tandem"),
            services: names.map { ServiceSpec(name: $0, probe: $0 == "dcmrecv" ? echo : nil) },
            verifyTimeout: verifyTimeout)
        // dcmrecv listens on [node] bind; a wildcard bind answers on loopback.
        let bind = configuration.node.bind
        let probeHost = bind == "0.0.0.0" || bind.isEmpty ? "127.0.0.1" : bind
        return ClusterNode(settings: settings,
                           authority: ArchiveEpochAuthority(root: dataRoot, storage: configuration.storage),
                           housekeeping: ArchiveHousekeeping(root: dataRoot, storage: configuration.storage),
                           checker: ServiceChecker(runDirectory: settings.runDirectory, host: probeHost))
    }
}

/// Runs a transition and maps its failure onto the exit codes (docs/design.md, "CLI conventions").
func transition(_ name: String, _ body: () throws -> ClusterNode.Report) throws {
    let logger = Logger(label: "clusterctl")
    do {
        let report = try body()
        for hook in report.hooks where !hook.output.isEmpty {
            logger.info("\(hook.name): \(hook.output)")
        }
        for warning in report.warnings { logger.warning("\(warning)") }
        let epoch = report.epoch.map { " epoch \($0)" } ?? ""
        print(report.changed ? "\(name)d\(epoch)" : "\(name): no change\(epoch)")
    } catch let error as ClusterError {
        logger.error("\(name) failed: \(error)")
        if case .authorityUnavailable = error { throw TandemExit.ioError.exitCode }
        throw TandemExit.partialFailure.exitCode
    } catch {
        // Housekeeping or the node-local role record could not be written.
        logger.error("\(name) failed: \(error)")
        throw TandemExit.ioError.exitCode
    }
}

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make this node active: bump the epoch, recover, run promote.d hooks, verify services.",
        discussion: "Example:\n  clusterctl promote --root /srv/tandem --hooks /etc/tandem/hooks")

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.logging.bootstrap()
        let node = try options.clusterNode(options.configuration())
        try transition("promote") { try node.promote() }
    }
}

struct Demote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make this node passive: run demote.d hooks (stop services, drop the IP).",
        discussion: """
        Succeeds on a node that runs nothing whatever the shared volume holds: a broken or missing
        tandem.toml only costs its settings (defaults and the options are used instead).

        Example:
          clusterctl demote --root /srv/tandem
        """)

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.logging.bootstrap()
        let configuration: TandemConfiguration
        do {
            configuration = try options.loadConfiguration()
        } catch {
            // A stop that fails makes Pacemaker fence the node: go on with what the options say.
            Logger(label: "clusterctl").warning("\(error); demoting with the defaults")
            configuration = .defaults()
        }
        let node = try options.clusterNode(configuration)
        try transition("demote") { try node.demote() }
    }
}

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "OCF-style health: exit 0 running, 7 cleanly stopped, 1 failed.",
        discussion: """
        A node that runs nothing answers 7 from its run directory alone, whatever the shared volume
        holds (a broken tandem.toml, or the volume not mounted).

        Example:
          clusterctl monitor --root /srv/tandem; echo $?
        """)

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.logging.bootstrap()
        let health: ClusterNode.Health
        do {
            health = try options.clusterNode(options.loadConfiguration()).monitor()
        } catch let error as ConfigurationError {
            let idle = try options.clusterNode(.defaults())
            health = idle.runsNothing ? .stopped : .failed("configuration: \(error)")
        }
        switch health {
        case .running: print("running")
        case .stopped: print("stopped")
        case let .failed(reason): print("failed: \(reason)")
        }
        if health.ocfExitCode != 0 { throw ExitCode(health.ocfExitCode) }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Role, node, epoch, services, queue depth and recent transitions.",
        discussion: "Example:\n  clusterctl status --root /srv/tandem --json")

    @OptionGroup var options: NodeOptions

    @Flag(help: "One JSON object instead of text lines.")
    var json = false

    func run() throws {
        options.logging.bootstrap()
        let status = try options.clusterNode(options.configuration()).status()
        print(json ? try status.json() : status.text())
    }
}
