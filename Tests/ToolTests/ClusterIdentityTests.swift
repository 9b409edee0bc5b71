import DICOMCore
import Foundation
import Testing

/// docs/design.md, "Cluster model": a node's identity is node-local, and only the proof in a node's own
/// run directory keeps the epoch on promote. Two nodes of one name (a shared `--node`, or a copied
/// `TANDEM_NODE`) are still two nodes: the second promote fences the first one's services.
@Suite("clusterctl: node identity and epochs", .serialized)
struct ClusterIdentityTests {
    @Test("two nodes under one name: the second promote bumps the epoch; the first node's dcmrecv and dcmroute exit 75")
    func twoNodesOfOneNameAreFenced() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let hooks = try scratch.standInHooks()
        let nodeA = scratch.node("node1", hooks: hooks, services: "sleep", runLabel: "a")
        let nodeB = scratch.node("node1", hooks: hooks, services: "sleep", runLabel: "b")
        defer {
            _ = try? nodeA.clusterctl("demote")
            _ = try? nodeB.clusterctl("demote")
        }

        let epoch = try await ClusterScratch.promote(nodeA)
        let receiver = try await BlockingWork.run { Unchecked(try scratch.startDcmrecv(epoch: epoch)) }.value
        defer { receiver.kill() }
        let router = try StaleRouter(root: scratch.root, epoch: epoch, log: scratch.base.appendingPathComponent("dcmroute.log"))
        defer { router.kill() }
        let before = try scratch.synthetic(count: 2)
        #expect(try await BlockingWork.run { try scratch.storescu(before) }.acknowledged == 2)

        #expect(try await ClusterScratch.promote(nodeB) == epoch + 1)

        let after = try scratch.synthetic(count: 2)
        #expect(try await BlockingWork.run { try scratch.storescu(after) }.acknowledged == 0)
        let receiverExit = try await BlockingWork.run { [box = Unchecked(receiver)] in try box.value.waitForExit() }
        #expect(receiverExit == 75)
        #expect(try await router.exitStatus() == 75)
        #expect(router.log.contains("fenced"), "\(router.log)")
        #expect(try await BlockingWork.run { try scratch.indexedInstances() } == Set(before.uids))
        // Node A's own proof is now stale: its promote bumps again rather than keeping B's epoch.
        #expect(try await ClusterScratch.promote(nodeA) == epoch + 2)
    }

    /// Both nodes read the same tandem.toml: a node name there is refused before anything is touched.
    @Test("a [node] name in the shared tandem.toml is a configuration error (78) naming file, line and key")
    func aNodeNameInTheSharedConfigurationIsRefused() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let config = scratch.root.appendingPathComponent("tandem.toml")
        try "[node]\nname = \"node1\"\nae_title = \"TANDEM\"\ndicom_port = \(scratch.port)\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let node = scratch.node("node1", hooks: try scratch.standInHooks(), services: "sleep")

        let promote = try await BlockingWork.run { try node.clusterctl("promote") }
        #expect(promote.status == 78)
        #expect(promote.stderr.contains("\(config.path):2: node.name: a node's name is node-local"), "\(promote.stderr)")
        let receiver = try await BlockingWork.run { try ToolRunner.run("dcmrecv", ["--root", scratch.root.path]) }
        #expect(receiver.status == 78)
        #expect(!FileManager.default.fileExists(atPath: scratch.root.appendingPathComponent("index.sqlite").path))
    }

    /// A dcmrecv the node started under an earlier epoch keeps running (it idles until its next
    /// write, which is refused). The node's next promote must restart it under the new epoch, or
    /// it verifies (C-ECHO answers) and then refuses every C-STORE.
    @Test("promote restarts a dcmrecv still running under an older epoch (example hooks)")
    func promoteRestartsAServiceOfAnOlderEpoch() async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let node1 = scratch.node("node1", hooks: try scratch.exampleHooks(), services: "dcmrecv")
        let node2 = scratch.node("node2", hooks: try scratch.standInHooks(), services: "sleep")
        defer {
            _ = try? node1.clusterctl("demote")
            _ = try? node2.clusterctl("demote")
        }

        let first = try await ClusterScratch.promote(node1)
        let stalePid = try #require(node1.pid(of: "dcmrecv"))
        #expect(try await ClusterScratch.promote(node2) == first + 1)
        #expect(node1.pid(of: "dcmrecv") == stalePid)

        #expect(try await ClusterScratch.promote(node1) == first + 2)
        let pid = try #require(node1.pid(of: "dcmrecv"))
        #expect(pid != stalePid)
        // Gone, or a zombie nobody reaped yet (its command line is then empty).
        #expect((FileManager.default.contents(atPath: "/proc/\(stalePid)/cmdline") ?? Data()).isEmpty)
        let study = try scratch.synthetic(count: 2)
        let sent = try await BlockingWork.run { try scratch.storescu(study) }
        #expect(sent.acknowledged == 2, "\(sent.log)")
        let log = try String(contentsOf: scratch.base.appendingPathComponent("logs/dcmrecv.log"), encoding: .utf8)
        #expect(log.contains("starting dcmrecv (epoch \(first + 2))"), "\(log)")
    }
}
