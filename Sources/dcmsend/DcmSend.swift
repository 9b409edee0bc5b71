import ArgumentParser
import TandemCLI

@main
struct DcmSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmsend",
        abstract: "Send DICOM files to a DICOM node (C-STORE SCU), or check what a folder holds.",
        discussion: """
        Sends every file given (folders recursively) to HOST PORT. With --dry-run, only parses
        the files and prints what would be sent, one line per file.

        Examples:
          dcmsend -aet CT1 -aec TANDEM pacs.example 11112 /data/study1
          dcmsend --dry-run --json ./incoming-cd
        """,
        version: TandemVersion.string)

    @Flag(name: .customLong("dry-run"), help: "Parse the files and print what would be sent; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print results as JSON lines.")
    var json = false

    @Argument(help: ArgumentHelp("HOST PORT PATH... (or PATH... with --dry-run)", valueName: "args"))
    var arguments: [String] = []

    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        throw ToolError(.usage, "dcmsend: sending is not implemented yet")
    }
}
