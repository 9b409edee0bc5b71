import DICOMNetwork
import Foundation
import TandemArchive
import Testing
@testable import TandemRouting

@Suite("Routing worker")
struct RoutingWorkerTests {
    private let everything = RouteSettings(name: "all", match: [:], destinations: ["PACS"], trigger: .onReceive,
                                           stableAfterSeconds: 0)

    @Test("one pass meets received instances with the rules, delivers the job and reports it done")
    func passRoutesAndDelivers() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let peer = PeerSCP()
        let summary = try await peer.serve { port in
            try await RoutingWorker(index: archive.index, settings: archive.settings(port: port, routes: [everything]))
                .runOnce()
        }
        #expect(summary == PassSummary(done: 1, waiting: 0, dead: 0))
        #expect(await peer.received.dataSets.map(\.bytes) == archive.dataSets.map(\.bytes))
    }

    @Test("the daemon delivers what arrives and returns once stopped")
    func daemonStops() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        let peer = PeerSCP()
        try await peer.serve { port in
            var settings = archive.settings(port: port, routes: [everything])
            settings.pollInterval = .milliseconds(50)
            let worker = RoutingWorker(index: archive.index, settings: settings)
            let running = Task { try await worker.run() }
            while try archive.queue.jobs(state: .done).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            worker.stop()
            try await running.value
        }
        #expect(await peer.received.dataSets.count == archive.dataSets.count)
    }

    @Test("a worker whose epoch is no longer current throws FencedError and sends nothing")
    func fencedWorkerStops() async throws {
        let archive = try await RoutedArchive.make()
        defer { archive.remove() }
        try ArchiveIndex(root: archive.index.root, environment: [:]).promote(node: "other-node")
        let peer = PeerSCP()
        try await peer.serve { port in
            let worker = RoutingWorker(index: archive.index, settings: archive.settings(port: port, routes: [everything]))
            await #expect(throws: FencedError.self) { try await worker.runOnce() }
        }
        #expect(await peer.received.dataSets.isEmpty)
    }
}
