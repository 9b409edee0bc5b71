import ArgumentParser
import Logging
import TandemArchive
import TandemCLI
import TandemCluster

struct Promote: NodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make this node active: bump the epoch, recover, run promote.d hooks, verify services.",
        discussion: "Example:\n  clusterctl promote --root /srv/tandem --hooks /etc/tandem/hooks")

    @OptionGroup var options: NodeOptions

    func run(_ tool: TandemTool) async throws {
        let node = try options.clusterNode(options.configuration(tool))
        try await transition("promote") { try await node.promote() }
    }
}

struct Demote: NodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make this node passive: run demote.d hooks (stop services, drop the IP).",
        discussion: """
        Succeeds on a node that runs nothing whatever the shared volume holds: a broken or missing
        tandem.toml only costs its settings (defaults and the options are used instead).

        Example:
          clusterctl demote --root /srv/tandem
        """)

    @OptionGroup var options: NodeOptions

    func run(_ tool: TandemTool) async throws {
        let configuration: TandemConfiguration
        do {
            configuration = try options.configuration(tool)
        } catch {
            // A stop that fails makes Pacemaker fence the node: go on with what the options say.
            Logger(label: "clusterctl").warning("\(error); demoting with the defaults")
            configuration = .defaults()
        }
        let node = try options.clusterNode(configuration)
        try await transition("demote") { try await node.demote() }
    }
}

/// Runs a transition: the hooks' output and the warnings go to the log, one line to stdout. A
/// failure is logged; a cluster error exits with its code (1, or 74 for the epoch record), any
/// other failed to write housekeeping or the node-local role record (74).
func transition(_ name: String, _ body: () async throws -> ClusterNode.Report) async throws {
    let logger = Logger(label: "clusterctl")
    let report: ClusterNode.Report
    do {
        report = try await body()
    } catch {
        logger.error("\(name) failed: \(error)")
        throw (error is ClusterError ? TandemExit(for: error) : .ioError).exitCode
    }
    for hook in report.hooks where !hook.output.isEmpty {
        logger.info("\(hook.name): \(hook.output)")
    }
    for warning in report.warnings { logger.warning("\(warning)") }
    let epoch = report.epoch.map { " epoch \($0)" } ?? ""
    print(report.changed ? "\(name)d\(epoch)" : "\(name): no change\(epoch)")
}

struct Monitor: NodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "OCF-style health: exit 0 running, 7 cleanly stopped, 1 failed.",
        discussion: """
        A node that runs nothing answers 7 from its run directory alone, whatever the shared volume
        holds (a broken tandem.toml, or the volume not mounted).

        Example:
          clusterctl monitor --root /srv/tandem; echo $?
        """)

    @OptionGroup var options: NodeOptions

    func run(_ tool: TandemTool) async throws {
        let health: ClusterNode.Health
        do {
            health = try await options.clusterNode(options.configuration(tool)).monitor()
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

struct Status: NodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Role, node, epoch, services, queue depth and recent transitions.",
        discussion: "Example:\n  clusterctl status --root /srv/tandem --json")

    @OptionGroup var options: NodeOptions

    @Flag(help: "One JSON object instead of text lines.")
    var json = false

    func run(_ tool: TandemTool) async throws {
        let status = try await options.clusterNode(options.configuration(tool)).status()
        print(json ? try status.json() : status.text())
    }
}
