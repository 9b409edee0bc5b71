import DICOMCore
import Foundation
import Testing

/// What runs on the passive node of a pair, with the shared storage visible to both: it acts on
/// nothing and it answers the cluster manager from its own run directory, whatever the shared
/// volume holds (docs/design.md, "Cluster model").
@Suite("the passive node", .serialized)
struct PassiveNodeTests {
    /// A `dcmroute once` from cron has no TANDEM_EPOCH. On the node that does not hold the epoch it
    /// must claim nothing and change nothing; on the holder (its run directory holds the proof of
    /// the current promotion) the same line delivers.
    @Test("a cron dcmroute once on the non-holder claims nothing, leaves the queue byte for byte, exits 7; the holder's delivers")
    func cronWorkerActsOnlyOnTheHolder() async throws {
        try await ClusterScratch.withRoutedPair { scratch, received, node1, node2 in
            // node1 was active and received a study; node2 took over before any worker ran.
            let first = try await ClusterScratch.promote(node1)
            let receiver = try await BlockingWork.run { Unchecked(try scratch.startDcmrecv(epoch: first)) }.value
            let study = try scratch.synthetic(count: 3)
            #expect(try await BlockingWork.run { try scratch.storescu(study) }.acknowledged == 3)
            receiver.kill()
            let epoch = try await ClusterScratch.promote(node2)
            let enqueued = try await BlockingWork.run {
                try ToolRunner.run("dcmroute", ["enqueue", "--study", try Self.studyUID(scratch), "--to", "DEST",
                                                "--root", scratch.root.path], environment: ["TANDEM_EPOCH": "\(epoch)"])
            }
            try #require(enqueued.status == 0, "\(enqueued.stderr)")
            let before = try await Self.dump(scratch.root)

            // node1 still has its old proof and role record: they prove nothing at the new epoch.
            let passive = try await BlockingWork.run { try Self.cronOnce(scratch.root, node: node1) }
            #expect(passive.status == 7, "\(passive.stderr)")
            #expect(passive.stderr.split(separator: "\n").count == 1, "\(passive.stderr)")
            #expect(passive.stderr.contains("passive node: epoch \(epoch) is held by node2"), "\(passive.stderr)")
            #expect(try await Self.dump(scratch.root) == before)
            #expect(RouteFencingTests.files(in: received) == 0)
            let quiet = try await BlockingWork.run { try Self.cronOnce(scratch.root, node: node1, quiet: true) }
            #expect(quiet.status == 7 && quiet.stderr.isEmpty, "\(quiet.stderr)")

            let holder = try await BlockingWork.run { try Self.cronOnce(scratch.root, node: node2) }
            #expect(holder.status == 0, "\(holder.stderr)")
            #expect(RouteFencingTests.files(in: received) == 3)
        }
    }

    /// A passive node of a Pacemaker pair does not have the volume mounted: the cron line must not
    /// create an archive under the mount point.
    @Test("dcmroute once and clusterctl monitor/demote where the data root is not mounted create nothing")
    func nothingIsCreatedWhereTheVolumeIsNotMounted() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let mountPoint = scratch.base.appendingPathComponent("not-mounted")
        let node = scratch.node("node1", hooks: try scratch.exampleHooks(), services: nil)

        let once = try await BlockingWork.run {
            try ToolRunner.run("dcmroute", ["once", "--root", mountPoint.path], environment: ["TANDEM_RUN_DIR": node.run.path])
        }
        #expect(once.status == 7, "\(once.stderr)")
        #expect(once.stderr.contains("no archive at \(mountPoint.path)"), "\(once.stderr)")
        #expect(try await BlockingWork.run { try node.clusterctl("monitor", root: mountPoint) }.status == 7)
        #expect(try await BlockingWork.run { try node.clusterctl("demote", root: mountPoint) }.status == 0)
        #expect(!FileManager.default.fileExists(atPath: mountPoint.path))
    }

    /// OCF requires monitor to say "not running" and stop to succeed on a node that runs nothing:
    /// Pacemaker fences a node whose stop fails. A typo in the shared file must not do that.
    @Test("with a broken shared tandem.toml, monitor says 7 and demote (and the OCF agent's stop) succeed on an idle node")
    func monitorAndStopIgnoreABrokenSharedConfiguration() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        try "[node]\ndicom_port = = 1\n".write(to: scratch.root.appendingPathComponent("tandem.toml"),
                                               atomically: true, encoding: .utf8)
        let node = scratch.node("node1", hooks: try scratch.exampleHooks(), services: nil)

        let monitor = try await BlockingWork.run { try node.clusterctl("monitor") }
        #expect(monitor.status == 7, "\(monitor.stdout)\(monitor.stderr)")
        let demote = try await BlockingWork.run { try node.clusterctl("demote") }
        #expect(demote.status == 0, "\(demote.stderr)")
        #expect(try await BlockingWork.run { try node.clusterctl("promote") }.status == 78)

        for (action, expected) in [("monitor", Int32(7)), ("stop", 0)] {
            let agent = try await BlockingWork.run { try Self.ocfAgent(action, scratch: scratch, node: node) }
            #expect(agent.status == expected, "\(action): \(agent.stderr)")
        }
    }

    /// keepalived's track script: a MASTER that runs nothing must fail, so VRRP moves the address
    /// (and FAULT's notify demotes) instead of leaving the cluster IP where nothing answers.
    @Test("tandem-check fails a MASTER that is not active, passes an active MASTER and an idle BACKUP")
    func keepalivedCheckFailsAnInactiveMaster() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let node = scratch.node("node1", hooks: try scratch.standInHooks(), services: "sleep")
        defer { _ = try? node.clusterctl("demote") }
        try FileManager.default.createDirectory(at: node.run, withIntermediateDirectories: true)
        let environment = scratch.base.appendingPathComponent("keepalived.env")
        try """
            TANDEM_ROOT=\(scratch.root.path)
            TANDEM_BIN_DIR=\(ToolRunner.productsDirectory.path)
            TANDEM_RUN_DIR=\(node.run.path)
            TANDEM_NODE=node1
            TANDEM_SERVICES=sleep
            """.write(to: environment, atomically: true, encoding: .utf8)
        let check = { @Sendable (state: String) throws -> Int32 in
            try state.write(to: node.run.appendingPathComponent("vrrp.state"), atomically: true, encoding: .utf8)
            return try ExternalTool.run(ToolRunner.repositoryDirectory.appendingPathComponent("scripts/keepalived/tandem-check").path,
                                        ["--env", environment.path]).status
        }

        #expect(try await BlockingWork.run { try check("MASTER") } == 1)
        #expect(try await BlockingWork.run { try check("BACKUP") } == 0)
        _ = try await ClusterScratch.promote(node)
        #expect(try await BlockingWork.run { try check("MASTER") } == 0)
        #expect(try await BlockingWork.run { try check("BACKUP") } == 1)
    }

    // MARK: - Helpers

    static func cronOnce(_ root: URL, node: ClusterScratch.Node, quiet: Bool = false) throws -> ToolRun {
        try ToolRunner.run("dcmroute", ["once", "--root", root.path] + (quiet ? ["-q"] : []),
                           environment: ["TANDEM_RUN_DIR": node.run.path, "TANDEM_NODE": node.name])
    }

    static func studyUID(_ scratch: ClusterScratch) throws -> String {
        let run = try ExternalTool.run("sqlite3", [scratch.root.appendingPathComponent("index.sqlite").path,
                                                   "SELECT study_uid FROM study"])
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The whole index as SQL text: what a passive worker must leave exactly as it was.
    static func dump(_ root: URL) async throws -> String {
        try await ExternalTool.runOffPool("sqlite3", [root.appendingPathComponent("index.sqlite").path, ".dump"]).stdout
    }

    /// The OCF agent as Pacemaker runs it, pointed at the node's run directory.
    static func ocfAgent(_ action: String, scratch: ClusterScratch, node: ClusterScratch.Node) throws -> ToolRun {
        try ToolRunner.capture(ToolRunner.repositoryDirectory.appendingPathComponent("scripts/ocf/tandem"), [action],
                               environment: ProcessInfo.processInfo.environment.merging([
                                   "OCF_RESKEY_root": scratch.root.path,
                                   "OCF_RESKEY_bindir": ToolRunner.productsDirectory.path,
                                   "OCF_RESKEY_hooks": node.hooks.path,
                                   "OCF_RESKEY_config": scratch.root.appendingPathComponent("tandem.toml").path,
                                   "OCF_RESKEY_node_name": node.name,
                                   "TANDEM_RUN_DIR": node.run.path,
                               ]) { $1 })
    }
}
