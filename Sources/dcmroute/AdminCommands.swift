import ArgumentParser
import Foundation
import TandemArchive
import TandemCLI
import TandemRouting

extension JobState: ExpressibleByArgument {}

/// Options of the commands that look at or change jobs.
struct AdminOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (one object per line) instead of text.")
    var json = false

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    func queue(_ tool: TandemTool) throws -> JobQueue {
        JobQueue(index: try tool.openArchive(root.dataRoot).index)
    }

    func print(_ job: RouteJob, items: [JobItem]? = nil) {
        printLine(json ? JobReport.json(job, items: items)
                  : items.map { JobReport.detail(job, items: $0) } ?? JobReport.line(job))
    }

    func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// A command that looks at or changes jobs.
protocol AdminCommand: TandemCommand {
    var options: AdminOptions { get }
}

extension AdminCommand {
    static var toolName: String { "dcmroute" }
    var logging: LoggingOptions { options.logging }
}

extension DcmRoute {
    struct List: AdminCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

        @Option(name: .long, help: "Only jobs in this state: pending, running, done, failed-will-retry, dead, cancelled.")
        var state: JobState?

        @Option(name: .long, help: "At most this many jobs.")
        var limit = 1000

        @OptionGroup var options: AdminOptions

        func run(_ tool: TandemTool) throws {
            for job in try options.queue(tool).jobs(state: state, limit: max(limit, 1)) { options.print(job) }
        }
    }

    struct Show: AdminCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job and the delivery record of each of its instances.")

        @Argument(help: "The job's number, as `list` prints it.")
        var job: Int64

        @OptionGroup var options: AdminOptions

        func run(_ tool: TandemTool) throws {
            let queue = try options.queue(tool)
            guard let found = try queue.job(job) else { throw ToolError(.missingInput, "no job \(job)") }
            options.print(found, items: try queue.items(of: job))
        }
    }

    struct Retry: AdminCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a dead, cancelled or waiting job due now, with fresh attempts; refused instances are tried again.")

        @Argument(help: "The job's number.")
        var job: Int64?

        @Flag(name: .customLong("all-dead"), help: "Retry every dead job.")
        var allDead = false

        @OptionGroup var options: AdminOptions

        func validate() throws {
            guard (job == nil) != !allDead else { throw ValidationError("give JOB or --all-dead") }
        }

        func run(_ tool: TandemTool) throws {
            let queue = try options.queue(tool)
            if let job {
                options.print(try queue.retry(job))
            } else {
                let count = try queue.retryAllDead()
                options.printLine(options.json ? "{\"retried\":\(count)}" : "\(count) dead job(s) retried")
            }
        }
    }

    struct Cancel: AdminCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a job; a worker delivering it lets go after the instance in flight.")

        @Argument(help: "The job's number.")
        var job: Int64

        @OptionGroup var options: AdminOptions

        func run(_ tool: TandemTool) throws {
            options.print(try options.queue(tool).cancel(job))
        }
    }

    struct Enqueue: AdminCommand {
        static let configuration = CommandConfiguration(
            abstract: "Route a whole study to a peer by hand; instances already delivered there are not sent again.")

        @Option(name: .long, help: "Study Instance UID.")
        var study: String

        @Option(name: .long, help: "The destination: a [[peer]] AE title.")
        var to: String

        @OptionGroup var options: AdminOptions

        func run(_ tool: TandemTool) throws {
            let archive = try tool.openArchive(options.root.dataRoot)
            guard archive.configuration.peer(aeTitle: to) != nil else {
                throw ToolError(.usage, "no [[peer]] with ae_title \"\(to)\" in tandem.toml")
            }
            options.print(try JobQueue(index: archive.index).enqueue(studyInstanceUID: study, destination: to))
        }
    }
}
