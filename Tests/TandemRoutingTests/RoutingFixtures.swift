import DICOMCore
import DICOMNetwork
import DICOMSynthetic
import Foundation
import Logging
import TandemArchive
import TandemSend
@testable import TandemRouting

/// A data root holding one synthetic study, ingested as the receiver would, for routing tests.
struct RoutedArchive {
    let directory: URL
    let index: ArchiveIndex
    /// SOP Instance UID → the data set bytes as received, in ingest order.
    let dataSets: [(sopInstanceUID: String, bytes: [UInt8])]
    let studyInstanceUID: String

    static func make(instances: Int = 3) async throws -> RoutedArchive {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-routing-\(UUID().uuidString)")
        let root = DataRoot(url: directory.appendingPathComponent("root"))
        try root.prepare()
        let index = try ArchiveIndex(root: root, environment: [:])
        let pipeline = StorePipeline(index: index, storage: StorageSettings(minFreeBytes: 0))
        let study = SyntheticStudy(StudySpecification(instancesPerSeries: instances, instanceSize: 8 * 1024))
        var dataSets: [(String, [UInt8])] = [], studyUID = ""
        for url in try study.write(to: directory.appendingPathComponent("sent")) {
            let bytes = try [UInt8](Data(contentsOf: url))
            let file = try DICOMFile(bytes: bytes, options: .headerOnly)
            let uid = file.dataSet.string(.sopInstanceUID) ?? ""
            studyUID = file.dataSet.string(.studyInstanceUID) ?? ""
            let reception = pipeline.begin(StoreRequest(
                sopClassUID: file.dataSet.string(.sopClassUID) ?? "", sopInstanceUID: uid,
                transferSyntax: file.transferSyntax, callingAE: "MODALITY", calledAE: "TANDEM"))
            reception.append(Array(bytes[file.dataSetOffset...]))
            let result = try await reception.finish()
            guard result.isStored else { throw FixtureError("\(uid) not stored: \(result.outcome)") }
            dataSets.append((uid, Array(bytes[file.dataSetOffset...])))
        }
        return RoutedArchive(directory: directory, index: index, dataSets: dataSets, studyInstanceUID: studyUID)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    var queue: JobQueue { JobQueue(index: index) }

    /// Routing settings sending to `PACS` on `port`, with a short lease for the tests that watch it.
    func settings(port: Int, lease: Duration = .seconds(30), routes: [RouteSettings] = []) -> RoutingSettings {
        let configuration = TandemConfiguration(
            node: NodeSettings(aeTitle: "TANDEM"),
            peers: [PeerSettings(aeTitle: "PACS", host: "127.0.0.1", port: port)], routes: routes)
        var settings = RoutingSettings(configuration: configuration, owner: "test-worker")
        settings.lease = lease
        settings.flushInterval = .milliseconds(50)
        settings.connectTimeout = .seconds(5)
        settings.dimseTimeout = .seconds(30)
        return settings
    }

    /// Queues the study for `PACS` and claims it, as a worker's pass would.
    func claimedJob(settings: RoutingSettings) async throws -> RouteJob {
        _ = try queue.enqueue(studyInstanceUID: studyInstanceUID, destination: "PACS")
        let jobs = try await queue.claim(limit: 1, owner: settings.owner, lease: settings.lease)
        guard let job = jobs.first else { throw FixtureError("nothing to claim") }
        return job
    }

    /// Claims the study's job for `peer` and delivers it; returns the job as claimed and as concluded.
    func deliver(to peer: PeerSCP) async throws -> (claimed: RouteJob, concluded: RouteJob?) {
        try await peer.serve { port in
            let settings = settings(port: port)
            let job = try await claimedJob(settings: settings)
            return (job, try await delivery(settings).deliver(job))
        }
    }

    func delivery(_ settings: RoutingSettings) -> JobDelivery {
        JobDelivery(queue: queue, settings: settings, sends: SendRegistry(), logger: Logger(label: "test"))
    }

    func items(of job: RouteJob) throws -> [String: JobItem] {
        Dictionary(uniqueKeysWithValues: try queue.items(of: job.id).map { ($0.sopInstanceUID, $0) })
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Holds the peer's responses until the test opens it, and tells how many requests wait.
actor ResponseGate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var arrivals = 0

    func pass() async {
        arrivals += 1
        guard !isOpen else { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }
}

/// What the peer received, in order.
actor ReceivedInstances {
    private(set) var dataSets: [(sopInstanceUID: String, bytes: [UInt8])] = []

    func add(_ uid: String, _ bytes: [UInt8]) {
        dataSets.append((uid, bytes))
    }
}

/// A storage SCP on loopback standing in for the destination: accepts every proposed context in
/// the file's own transfer syntax, keeps each data set, and answers the status configured for
/// its instance (success otherwise), after the gate lets it.
struct PeerSCP: AssociationServiceHandler, DIMSEServiceProvider {
    var statuses: [String: DIMSEStatus] = [:]
    var gate: ResponseGate?
    let received = ReceivedInstances()

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(PresentationContextPolicy { proposed in
            PresentationContextAC(id: proposed.id, result: .acceptance, transferSyntax: proposed.transferSyntaxes[0])
        })
    }

    var router: DIMSEServiceRouter { DIMSEServiceRouter([.init(where: { _ in true }, to: self)]) }

    func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        var bytes: [UInt8] = []
        for try await fragment in dataSet { bytes += fragment }
        await received.add(request.affectedSOPInstanceUID, bytes)
        await gate?.pass()
        return DIMSEResult(statuses[request.affectedSOPInstanceUID] ?? .success)
    }

    /// Serves on an ephemeral 127.0.0.1 port for the duration of `body`.
    func serve<T>(_ body: (Int) async throws -> T) async throws -> T {
        let acceptor = try await AssociationAcceptor(host: "127.0.0.1", port: 0,
                                                     configuration: AssociationConfiguration(aeTitle: try AETitle("PACS")),
                                                     handler: self)
        let server = Task { try await acceptor.run() }
        defer { server.cancel() }
        do {
            let result = try await body(acceptor.localPort)
            await acceptor.close()
            return result
        } catch {
            await acceptor.close()
            throw error
        }
    }
}

/// A loopback port nothing listens on: bound by an acceptor, then closed.
func closedPort() async throws -> Int {
    try await PeerSCP().serve { $0 }
}
