import Foundation

extension ClusterScratch {
    /// A DCMTK storescp as the `[[peer]]` DEST, writing into `received`, and the shared
    /// tandem.toml routing every study there. The caller stops the destination.
    func routeEverythingToStorescp() async throws -> (destination: PeerProcess, received: URL) {
        let received = base.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
        let destination = try await offPool { Unchecked(try PeerProcess.storescp(["-od", received.path])) }.value
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
}
