import ArgumentParser
import TandemCLI

@main
struct ClusterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterctl",
        abstract: "Node role for the active/passive pair: status, promote, demote, monitor.",
        discussion: """
        Called by the cluster manager's hooks (Pacemaker OCF agent, keepalived notify script).

        Example:
          clusterctl status --root /srv/tandem --json
        """,
        version: TandemVersion.string)

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        throw ToolError(.usage, "clusterctl: not implemented yet")
    }
}
