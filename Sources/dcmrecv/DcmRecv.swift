import ArgumentParser
import TandemCLI

@main
struct DcmRecv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmrecv",
        abstract: "The archive's DICOM listener (SCP): C-ECHO and C-STORE into the data root.",
        discussion: """
        Listens for DICOM associations and stores every received instance durably under the
        data root before acknowledging it. Stops gracefully on SIGTERM or SIGINT.

        Example:
          dcmrecv --root /srv/tandem --port 11112 --aet TANDEM
        """,
        version: TandemVersion.string)

    @Option(name: .shortAndLong, help: "TCP port to listen on (default: [node] dicom_port, else 11112).")
    var port: Int?

    @Option(name: [.customShort("a"), .customLong("aet")], help: "Our AE title (default: [node] ae_title, else TANDEM).")
    var aeTitle: String?

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        throw ToolError(.usage, "dcmrecv: not implemented yet")
    }
}
