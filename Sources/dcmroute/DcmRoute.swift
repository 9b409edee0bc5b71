import ArgumentParser
import TandemCLI

@main
struct DcmRoute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmroute",
        abstract: "Routing worker: turns [[route]] rules into durable jobs and delivers them with retries.",
        discussion: """
        Without a subcommand, runs the daemon (`run`). Rules ([[route]]), destinations ([[peer]]) and back-off ([retry]) come from ROOT/tandem.toml. Jobs live in ROOT/index.sqlite, one per study and destination, with a delivery record per instance: what was delivered is never sent again.

        Exit status: 0 success; 1 some jobs not delivered (once) or the request did not apply; 7 passive node: started without TANDEM_EPOCH on a node that does not hold the cluster epoch (its run directory, $TANDEM_RUN_DIR or /run/tandem, holds no proof of the current promotion) or that has no archive mounted — nothing claimed, nothing written, normal on the passive node of a pair; 64 usage; 66 unknown job or study, or no archive on the epoch holder; 74 the index cannot be opened; 75 fenced by a newer cluster epoch; 78 configuration error.

        The same cron line can run on both nodes of a pair (-q: silent where passive):
          * * * * * /opt/tandem/bin/dcmroute once -q --root /srv/tandem || [ $? -eq 7 ]

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
