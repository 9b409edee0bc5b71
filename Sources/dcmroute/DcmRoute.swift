import ArgumentParser
import TandemCLI

@main
struct DcmRoute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmroute",
        abstract: "Routing worker: turns [[route]] rules into durable jobs and delivers them with retries.",
        discussion: """
        Without a subcommand, runs the daemon (`run`). Rules ([[route]]), destinations ([[peer]]) and back-off ([retry]) come from ROOT/tandem.toml. Jobs live in ROOT/index.sqlite, one per study and destination, with a delivery record per instance: what was delivered is never sent again.

        Exit status: 0 success; 1 some jobs not delivered (once) or the request did not apply; 64 usage; 66 unknown job or study; 74 the index cannot be opened; 75 fenced by a newer cluster epoch; 78 configuration error.

        Examples:
          dcmroute run --root /srv/tandem -j 4
          dcmroute once --root /srv/tandem
          dcmroute list --state dead
          dcmroute retry --all-dead
          dcmroute enqueue --study 1.2.840.99.1 --to REVIEW1
        """,
        version: TandemVersion.string,
        subcommands: [Run.self, Once.self, List.self, Show.self, Retry.self, Cancel.self, Enqueue.self],
        defaultSubcommand: Run.self)
}
