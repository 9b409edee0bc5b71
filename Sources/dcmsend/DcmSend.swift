import ArgumentParser
import DICOMNetwork
import Foundation
import TandemCLI
import TandemSend

@main
struct DcmSend: TandemCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmsend",
        abstract: "Send DICOM files to a DICOM node (C-STORE SCU), or check what a folder holds.",
        discussion: """
        Sends every file given (folders recursively) to HOST PORT, one result line per file on stdout and a summary at the end. --echo only verifies the peer (C-ECHO). --dry-run only reads the files and prints what would be sent or why a file is skipped.

        Exit status: 0 all sent; 1 some failed or skipped; 66 a path does not exist; 69 association rejected; 75 peer unreachable or timed out; 76 association aborted.

        Examples:
          dcmsend -aet CT1 -aec TANDEM pacs.example 11112 /data/study1
          dcmsend -j 4 --json pacs.example 11112 /data/study1 /data/study2
          dcmsend --echo -aec TANDEM pacs.example 11112
          dcmsend --dry-run --json ./incoming-cd
        """,
        version: TandemVersion.string)

    @Option(name: [.customLong("aet"), .customLong("aet", withSingleDash: true)], help: "Calling AE title (ours).")
    var aet = "DCMSEND"

    @Option(name: [.customLong("called-aet"), .customLong("aec", withSingleDash: true)], help: "Called AE title (the peer's).")
    var calledAET = "ANY-SCP"

    @Option(name: [.customShort("j"), .customLong("associations")], help: "Parallel associations; each series goes on one of them.")
    var associations = 1

    @Flag(name: .long, help: "Only verify the peer with C-ECHO; give HOST PORT and no PATH.")
    var echo = false

    @Option(name: .customLong("max-pdu"), help: "Largest PDU we receive, in bytes (4096...1048576).")
    var maxPDU: UInt32 = 64 * 1024

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for the TCP connection.")
    var connectTimeout = 10

    @Option(name: .customLong("association-timeout"), help: "Seconds to wait for association answers and release.")
    var associationTimeout = 30

    @Option(name: .customLong("dimse-timeout"), help: "Seconds to wait for each C-STORE or C-ECHO response.")
    var dimseTimeout = 120

    @Option(name: .customLong("async-window"),
            help: "C-STOREs outstanding at once on an association when the peer grants an asynchronous operations window (PS3.7 D.3.3.3); 1 proposes none (1...64).")
    var asyncWindow = 16

    @Flag(name: .customLong("dry-run"), help: "Read the files and print what would be sent; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print one JSON object per line instead of text.")
    var json = false

    @Argument(help: ArgumentHelp("HOST PORT PATH... (only PATH... with --dry-run)", valueName: "args"))
    var arguments: [String] = []

    @OptionGroup var logging: LoggingOptions

    mutating func validate() throws {
        guard (1...64).contains(associations) else { throw ValidationError("-j/--associations must be 1...64") }
        guard (1...64).contains(asyncWindow) else { throw ValidationError("--async-window must be 1...64") }
        guard (4096...1_048_576).contains(maxPDU) else { throw ValidationError("--max-pdu must be 4096...1048576") }
        guard [connectTimeout, associationTimeout, dimseTimeout].allSatisfy({ $0 > 0 }) else {
            throw ValidationError("timeouts must be positive")
        }
        let needed = dryRun ? 1 : echo ? 2 : 3
        guard arguments.count >= needed, !(echo && arguments.count > 2) else {
            throw ValidationError(dryRun ? "give at least one PATH" : echo ? "give HOST PORT" : "give HOST PORT PATH...")
        }
        if !dryRun, Int(arguments[1]).map({ (1...65535).contains($0) }) != true {
            throw ValidationError("PORT must be a number 1...65535, not '\(arguments[1])'")
        }
    }

    func run(_ tool: TandemTool) async throws {
        if dryRun { return try runDryRun(tool) }
        var settings: SendSettings
        do {
            settings = SendSettings(host: arguments[0], port: Int(arguments[1])!,
                                    callingAETitle: try AETitle(aet), calledAETitle: try AETitle(calledAET))
        } catch { throw ValidationError("invalid AE title: \(error)") }
        settings.maximumReceivePDULength = maxPDU
        settings.connectTimeout = .seconds(connectTimeout)
        settings.associationTimeout = .seconds(associationTimeout)
        settings.dimseTimeout = .seconds(dimseTimeout)
        settings.operationsWindow = UInt16(asyncWindow)
        let sender = StoreSender(settings: settings)
        if echo {
            try await sender.echo()
            if !tool.quiet { tool.say("C-ECHO to \(settings.host):\(settings.port) succeeded") }
            return
        }
        // Sending starts with the first file inspected; the walk goes on meanwhile.
        let walk = try FileWalk(paths: Array(arguments.dropFirst(2)))
        let reporter = SendReporter(json: json, showsProgress: isatty(STDERR_FILENO) == 1 && !tool.quiet)
        let failures = await sender.send(InventoryFeed(walk, inspected: reporter.found),
                                         parallelAssociations: associations, reporter: reporter)
        let summary = reporter.finish()
        if !tool.quiet && !json { tool.say(summary.text) }
        // Nothing but unusable input (which opens no association).
        if summary.skipped > 0 && summary.sent + summary.failed == 0 { throw TandemExit.badInput.exitCode }
        if !failures.isEmpty { throw ToolError(sendFailures: failures) }
        if summary.failed + summary.skipped > 0 { throw TandemExit.partialFailure.exitCode }
    }

    func runDryRun(_ tool: TandemTool) throws {
        var report = InventoryReport(json: json)
        for path in try FileWalk(paths: arguments) { report.print(FileInventory.inspect(path: path)) }
        if !tool.quiet { tool.say(report.summary) }
        if report.skipped > 0 && report.sendable == 0 { throw TandemExit.badInput.exitCode }
        if report.skipped > 0 { throw TandemExit.partialFailure.exitCode }
    }
}
