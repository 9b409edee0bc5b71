import ArgumentParser
import TandemCLI

@main
struct DcmRoute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmroute",
        abstract: "Routing worker: turns [[route]] rules into durable jobs and delivers them with retries.",
        discussion: """
        Example:
          dcmroute run --root /srv/tandem -j 4
        """,
        version: TandemVersion.string)

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        throw ToolError(.usage, "dcmroute: not implemented yet")
    }
}
