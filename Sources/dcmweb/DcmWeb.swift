import ArgumentParser
import TandemCLI

@main
struct DcmWeb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmweb",
        abstract: "HTTP service: DICOMweb (QIDO-RS, WADO-RS, STOW-RS), worklist and viewer, health, metrics.",
        discussion: """
        Example:
          dcmweb --root /srv/tandem --port 8080
        """,
        version: TandemVersion.string)

    @Option(name: .shortAndLong, help: "HTTP port (default: [node] http_port, else 8080).")
    var port: Int?

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        throw ToolError(.usage, "dcmweb: not implemented yet")
    }
}
