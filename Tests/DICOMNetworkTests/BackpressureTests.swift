import Testing
@testable import DICOMNetwork

/// The acceptor reads from the socket only as fast as the service consumes data set fragments.
@Suite("Backpressure")
struct BackpressureTests {
    @Test func senderWaitsWhileTheReceiverDoesNotConsume() async throws {
        let gate = Gate()
        let sendFinished = Gate()
        let received = ReceivedFragments()
        let payload = [UInt8](repeating: 0x5A, count: 64 * 1024 * 1024)
        try await withAcceptor(GatedStoreService(gate: gate, received: received)) { port in
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
            let sender = Task {
                try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                    presentationContexts: [StoreCollector.context]) { association in
                        let request = CStoreRequest(messageID: 1, affectedSOPClassUID: StoreCollector.ctImageStorage,
                                                    affectedSOPInstanceUID: "1.2.3")
                        try await association.send(command: try request.encode(), presentationContextID: 1, dataSet: .bytes(payload))
                        await sendFinished.open()
                        return try await association.receive() != nil
                    }
            }
            // Read eagerly, 64 MiB crosses loopback in under 2 s even in a debug build (measured);
            // held back, it fits in neither the socket buffers nor the two PDUs the acceptor buffers.
            try await Task.sleep(for: .seconds(4))
            #expect(await sendFinished.isOpen == false)
            await gate.open()
            #expect(try await sender.value)
        }
        #expect(await received.byteCount == payload.count)
    }
}

actor Gate {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var isOpen = false

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

extension ReceivedFragments {
    var byteCount: Int { fragments.reduce(0) { $0 + $1.count } }
}

/// Waits at the gate before consuming a C-STORE data set, then answers success.
struct GatedStoreService: AssociationServiceHandler, DIMSEServiceProvider {
    let gate: Gate
    let received: ReceivedFragments

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(.preferring([StoreCollector.ctImageStorage: ["1.2.840.10008.1.2"]]))
    }

    var router: DIMSEServiceRouter { DIMSEServiceRouter([.init([StoreCollector.ctImageStorage], to: self)]) }

    func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        await gate.wait()
        for try await fragment in dataSet { await received.append(fragment) }
        return .success
    }
}
