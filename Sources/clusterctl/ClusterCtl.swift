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
        abstract: "Node role for the active/passive pair: status, promote, demote, monitor.",
        discussion: """
        Called by the cluster manager (the ocf:tandem:tandem agent, keepalived's tandem-notify).
        The epoch it bumps on promote is the fencing token every write transaction checks.

        Example:
          clusterctl status --root /srv/tandem --json
        """,
        version: TandemVersion.string,
        subcommands: [Promote.self, Demote.self, Monitor.self, Status.self])
}

/// Options every subcommand shares: where the data, hooks and node-local state are.
struct NodeOptions: ParsableArguments {
    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("Configuration file (default: ROOT/tandem.toml).", valueName: "file"))
    var config: String?

    @Option(help: "This node's name (default: [node] name, else $TANDEM_NODE, else the host name).")
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

    func clusterNode() throws -> ClusterNode {
        let environment = ProcessInfo.processInfo.environment
        let dataRoot = root.dataRoot
        let configuration: TandemConfiguration
        do {
            configuration = try config.map { try TandemConfiguration.load(file: URL(fileURLWithPath: $0)) }
                ?? TandemConfiguration.load(root: dataRoot)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("clusterctl: \(error)\n".utf8))
            throw TandemExit.configuration.exitCode
        }
        let names = (services ?? environment["TANDEM_SERVICES"] ?? "dcmrecv dcmroute dcmweb")
            .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !names.isEmpty else { throw ValidationError("--services names no service") }
        // dcmrecv must answer a DICOM C-ECHO on its port and AE title, as the imaging centres see it.
        let echo = ServiceProbe.dicomEcho(
            port: configuration.node.dicomPort, calledAETitle: configuration.node.aeTitle,
            callingAETitle: probeAETitle ?? environment["TANDEM_PROBE_AET"] ?? "CLUSTERCTL")
        let settings = ClusterNode.Settings(
            root: dataRoot.url,
            node: node ?? configuration.node.name,
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
        let node = try options.clusterNode()
        try transition("promote") { try node.promote() }
    }
}

struct Demote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make this node passive: run demote.d hooks (stop services, drop the IP).",
        discussion: "Example:\n  clusterctl demote --root /srv/tandem")

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.logging.bootstrap()
        let node = try options.clusterNode()
        try transition("demote") { try node.demote() }
    }
}

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "OCF-style health: exit 0 running, 7 cleanly stopped, 1 failed.",
        discussion: "Example:\n  clusterctl monitor --root /srv/tandem; echo $?")

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.logging.bootstrap()
        let health = try options.clusterNode().monitor()
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
        let status = try options.clusterNode().status()
        print(json ? try status.json() : status.text())
    }
}
