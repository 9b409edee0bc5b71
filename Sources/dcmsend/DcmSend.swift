import ArgumentParser
import DICOMCore
import Foundation
import TandemCLI

@main
struct DcmSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmsend",
        abstract: "Send DICOM files to a DICOM node (C-STORE SCU), or check what a folder holds.",
        discussion: """
        Sends every file given (folders recursively) to HOST PORT. With --dry-run, only reads
        the files and prints, one line per file, what would be sent or why a file is skipped.
        Exit status: 0 all sendable/sent, 1 some skipped or failed, 66 a path does not exist.

        Examples:
          dcmsend -aet CT1 -aec TANDEM pacs.example 11112 /data/study1
          dcmsend --dry-run --json ./incoming-cd
        """,
        version: TandemVersion.string)

    @Flag(name: .customLong("dry-run"), help: "Read the files and print what would be sent; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false

    @Argument(help: ArgumentHelp("HOST PORT PATH... (only PATH... with --dry-run)", valueName: "args"))
    var arguments: [String] = []

    @OptionGroup var logging: LoggingOptions

    mutating func run() async throws {
        logging.bootstrap()
        guard dryRun else { throw ToolError(.usage, "dcmsend: sending is not implemented yet") }
        guard !arguments.isEmpty else { throw ValidationError("give at least one PATH") }
        let files: [String]
        do {
            files = try FileInventory.files(under: arguments)
        } catch let missing as FileInventory.MissingPath {
            FileHandle.standardError.write(Data("dcmsend: \(missing)\n".utf8))
            throw TandemExit.missingInput.exitCode
        }
        var report = InventoryReport(json: json)
        for path in files { report.print(FileInventory.inspect(path: path)) }
        if !logging.quiet { FileHandle.standardError.write(Data("dcmsend: \(report.summary)\n".utf8)) }
        if report.skipped > 0 { throw TandemExit.partialFailure.exitCode }
    }
}
