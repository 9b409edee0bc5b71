import ArgumentParser
import TandemCLI

@main
struct DcmWeb: TandemCommand {
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

    mutating func validate() throws {
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port must be 1...65535, not \(port)") }
    }

    func run(_ tool: TandemTool) async throws {
        throw ToolError(.usage, "not implemented yet")
    }
}
