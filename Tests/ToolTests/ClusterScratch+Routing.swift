import DICOMCore
import Foundation

extension ClusterScratch {
    /// A DCMTK storescp as the `[[peer]]` DEST, writing into `received`, and the shared
    /// tandem.toml routing every study there. The caller stops the destination.
    func routeEverythingToStorescp() async throws -> (destination: PeerProcess, received: URL) {
        let received = base.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
        let destination = try await BlockingWork.run { Unchecked(try PeerProcess.storescp(["-od", received.path])) }.value
        try """
            [node]
            ae_title = "TANDEM"
            dicom_port = \(port)
            bind = "127.0.0.1"

            [[peer]]
            ae_title = "DEST"
            host = "127.0.0.1"
            port = \(destination.port)

            [[route]]
            name = "all"
            to = ["DEST"]
            """.write(to: root.appendingPathComponent("tandem.toml"), atomically: true, encoding: .utf8)
        return (destination, received)
    }

    /// Runs `body` on a fresh scratch archive routed to a storescp (`routeEverythingToStorescp`)
    /// with the two stand-in nodes of a pair; afterwards both nodes are demoted, the destination is
    /// stopped and the scratch removed.
    static func withRoutedPair(
        _ body: (_ scratch: ClusterScratch, _ received: URL, _ node1: Node, _ node2: Node) async throws -> Void
    ) async throws {
        let scratch = try ClusterScratch()
        defer { scratch.remove() }
        let (destination, received) = try await scratch.routeEverythingToStorescp()
        defer { destination.stop() }
        let (node1, node2) = try scratch.standInNodes()
        defer {
            _ = try? node1.clusterctl("demote")
            _ = try? node2.clusterctl("demote")
        }
        try await body(scratch, received, node1, node2)
    }
}
