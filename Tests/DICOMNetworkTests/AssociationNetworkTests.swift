import DICOMCore
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import DICOMNetwork

@Suite("Associations on loopback")
struct AssociationNetworkTests {
    typealias F = PDUFixtures

    @Test func dcmtkEchoscuAgainstOurAcceptor() async throws {
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM"))) { port in
            let accepted = try await runProgram("/usr/bin/echoscu", ["-aec", "TANDEM", "127.0.0.1", "\(port)"])
            #expect(accepted == 0)
            // Wrong called AE title: rejected, echoscu fails.
            let rejected = try await runProgram("/usr/bin/echoscu", ["-aec", "SOMEONE", "127.0.0.1", "\(port)"])
            #expect(rejected != 0)
        }
    }

    @Test func ourRequestorAgainstDCMTKStorescp() async throws {
        let port = try await freeTCPPort()
        let storescp = Process()
        storescp.executableURL = URL(fileURLWithPath: "/usr/bin/storescp")
        storescp.arguments = ["-aet", "STORESCP", "\(port)"]
        storescp.standardOutput = FileHandle.nullDevice
        storescp.standardError = FileHandle.nullDevice
        try storescp.run()
        defer {
            // SIGKILL to this PID only: a child of the test runner may inherit SIGTERM ignored.
            kill(storescp.processIdentifier, SIGKILL)
            storescp.waitUntilExit()
        }
        let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("TANDEMSCU")))
        var status: DIMSEStatus?
        for _ in 0..<50 where status == nil {  // storescp needs a moment to listen
            do {
                status = try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("STORESCP"),
                    presentationContexts: [.verification()]) { try await $0.echo() }
            } catch let error as AssociationError {
                throw error
            } catch {  // not listening yet
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(status == .success)
    }

    @Test func cStoreToDCMTKStorescp() async throws {
        let port = try await freeTCPPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("storescp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storescp = Process()
        storescp.executableURL = URL(fileURLWithPath: "/usr/bin/storescp")
        storescp.arguments = ["-aet", "STORESCP", "-od", directory.path, "\(port)"]
        storescp.standardOutput = FileHandle.nullDevice
        storescp.standardError = FileHandle.nullDevice
        try storescp.run()
        defer {
            kill(storescp.processIdentifier, SIGKILL)
            storescp.waitUntilExit()
        }
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0016), vr: .UI, string: StoreCollector.ctImageStorage)  // SOP Class UID
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: "1.2.826.0.1.3680043.10.1396.99.1")  // SOP Instance UID
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "Test^Patient")
        try dataSet.set(Tag(0x0020, 0x000D), vr: .UI, string: "1.2.826.0.1.3680043.10.1396.99.2")
        try dataSet.set(Tag(0x0020, 0x000E), vr: .UI, string: "1.2.826.0.1.3680043.10.1396.99.3")
        let bytes = try DataSetWriter.encode(dataSet, transferSyntax: .implicitVRLittleEndian)
        let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("TANDEMSCU")))
        var response: CStoreResponse?
        for _ in 0..<50 where response == nil {  // storescp needs a moment to listen
            do {
                response = try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("STORESCP"),
                    presentationContexts: [StoreCollector.context]) { association in
                        let request = CStoreRequest(messageID: 1, affectedSOPClassUID: StoreCollector.ctImageStorage,
                                                    affectedSOPInstanceUID: "1.2.826.0.1.3680043.10.1396.99.1")
                        try await association.send(command: try request.encode(), presentationContextID: 1, dataSet: .bytes(bytes))
                        guard let answer = try await association.receive(),
                              case .cStoreRSP(let response) = answer.command else { return nil }
                        return response
                    }
            } catch let error as AssociationError {
                throw error
            } catch {  // not listening yet
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(response?.status == .success)
        #expect(response?.messageIDBeingRespondedTo == 1)
        #expect(response?.affectedSOPInstanceUID == "1.2.826.0.1.3680043.10.1396.99.1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
    }

    @Test func ourRequestorAgainstOurAcceptor() async throws {
        try await withAcceptor(VerificationService(calledAETitle: try AETitle("TANDEM"))) { port in
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
            let statuses = try await requestor.withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [.verification()]) { association in
                    #expect(association.acceptedContexts[1]?.transferSyntax == "1.2.840.10008.1.2.1")
                    return [try await association.echo(messageID: 1), try await association.echo(messageID: 2)]
                }
            #expect(statuses == [.success, .success])
            await #expect(throws: AssociationError.rejected(.user(.rejectedPermanent, .calledAETitleNotRecognized))) {
                try await requestor.withAssociation(
                    host: "127.0.0.1", port: port, calledAETitle: try AETitle("OTHER"),
                    presentationContexts: [.verification()]) { _ in }
            }
        }
    }

    @Test func storeStreamsTheDataSetInFragmentsOfThePeersMaximum() async throws {
        let received = ReceivedFragments()
        let payload = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pdv-\(UUID().uuidString).bin")
        try Data([0xEE, 0xEE] + payload).write(to: file)  // two bytes before the data set, skipped by offset
        defer { try? FileManager.default.removeItem(at: file) }
        try await withAcceptor(StoreCollector(received: received), configure: { $0.maximumReceivePDULength = 4096 }) { port in
            let requestor = AssociationRequestor(configuration: AssociationConfiguration(aeTitle: try AETitle("SCU")))
            let status = try await requestor.withAssociation(
                host: "127.0.0.1", port: port, calledAETitle: try AETitle("TANDEM"),
                presentationContexts: [StoreCollector.context]) { association in
                    #expect(association.peerMaximumPDULength == 4096)
                    let request = CStoreRequest(messageID: 3, affectedSOPClassUID: StoreCollector.ctImageStorage,
                                                affectedSOPInstanceUID: "1.2.3.4")
                    try await association.send(command: try request.encode(), presentationContextID: 1,
                                               dataSet: .file(path: file.path, offset: 2, length: UInt64(payload.count)))
                    guard let answer = try await association.receive(),
                          case .cStoreRSP(let response) = answer.command else { return DIMSEStatus.processingFailure }
                    return response.status
                }
            #expect(status == .success)
        }
        let fragments = await received.fragments
        #expect(fragments.count == 5)  // 20000 bytes in PDVs of at most 4096 - 6 bytes
        #expect(fragments.allSatisfy { $0.count <= 4090 })
        #expect(fragments.flatMap { $0 } == payload)
    }
}

/// Fragments a test acceptor received, in order.
actor ReceivedFragments {
    var fragments: [[UInt8]] = []
    func append(_ fragment: [UInt8]) { fragments.append(fragment) }
}

/// Accepts CT Image Storage and records each data set fragment as it arrives.
struct StoreCollector: AssociationServiceHandler, DIMSEServiceProvider {
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
    static let context = PresentationContextRQ(id: 1, abstractSyntax: ctImageStorage, transferSyntaxes: ["1.2.840.10008.1.2"])
    let received: ReceivedFragments

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(.preferring([Self.ctImageStorage: ["1.2.840.10008.1.2"]]))
    }

    var router: DIMSEServiceRouter { DIMSEServiceRouter([.init([Self.ctImageStorage], to: self)]) }

    func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        for try await fragment in dataSet { await received.append(fragment) }
        return .success
    }
}

@Suite("Requestor timeouts")
struct RequestorTimeoutTests {
    @Test func silentAcceptorTimesOutTheRequest() async throws {
        // A TCP listener that never answers the A-ASSOCIATE-RQ.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        var configuration = AssociationConfiguration(aeTitle: try AETitle("SCU"))
        configuration.associationTimeout = .milliseconds(300)
        let requestor = AssociationRequestor(configuration: configuration)
        await #expect(throws: AssociationError.timedOut(.association)) {
            try await requestor.withAssociation(
                host: "127.0.0.1", port: silent.localAddress!.port!, calledAETitle: try AETitle("ANY"),
                presentationContexts: [.verification()]) { _ in }
        }
        try await silent.close()
    }
}
