import ArgumentParser
import Logging
import TandemCLI
import TandemWeb

struct Serve: TandemCommand {
    static let toolName = "dcmweb"
    static let configuration = CommandConfiguration(
        abstract: "Serve DICOMweb, sign-in and health on [node] bind:http_port until SIGTERM.",
        discussion: """
        Exits 0 after SIGTERM or SIGINT (in-flight requests finish), 75 when fenced by a newer
        cluster epoch, 7 on a passive node (started without TANDEM_EPOCH on a node that does not
        hold the current one), 66 without an archive, 78 on a configuration error.

        Example:
          dcmweb serve --root /srv/tandem --port 8080
        """)

    @Option(name: .shortAndLong, help: "HTTP port (default: [node] http_port, else 8080; 0 picks a free port).")
    var port: Int?

    @Option(name: .long, help: "Address to listen on (default: [node] bind, else 0.0.0.0).")
    var bind: String?

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    mutating func validate() throws {
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be 0...65535, not \(port)") }
    }

    func run(_ tool: TandemTool) async throws {
        let archive = try tool.openArchive(root.dataRoot)
        // A passive node serves nothing (its sign-ins and stores would be writes).
        try archive.index.requireWriteRight()
        let node = archive.configuration.node
        let settings = WebServerSettings(bind: bind ?? node.bind, port: port ?? node.httpPort,
                                         archive: archive.configuration)
        try await WebServer.run(index: archive.index, settings: settings, logger: Logger(label: "dcmweb"))
    }
}
