import DICOMCore
import Foundation
import Testing
@testable import DICOMNetwork

/// A C-GET SCP for tests: stores each instance on the caller's association (CT Image Storage,
/// Implicit VR Little Endian) and reports the counts after each.
struct ScriptedGetProvider: DIMSEServiceProvider {
    let instances: [(sopInstanceUID: String, dataSet: [UInt8])]

    func get(_ request: CGetRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        var counts = SubOperationCounts(remaining: UInt16(instances.count), completed: 0, failed: 0, warning: 0)
        var failed: [String] = []
        for instance in instances where !responder.isCancelled {
            let stored: Bool
            do {
                let response = try await responder.store(
                    sopClassUID: StoreCollector.ctImageStorage, sopInstanceUID: instance.sopInstanceUID,
                    transferSyntax: TransferSyntax.implicitVRLittleEndian.uid, dataSet: .bytes(instance.dataSet))
                stored = response.status.category == .success
            } catch is RetrieveError {
                stored = false
            }
            counts.remaining? -= 1
            if stored { counts.completed? += 1 } else { counts.failed? += 1 }
            if !stored { failed.append(instance.sopInstanceUID) }
            try await responder.pending(counts)
        }
        // PS3.4 C.4.3.1.3: B000H, sub-operations complete with one or more failures.
        let status = failed.isEmpty ? DIMSEStatus.success : DIMSEStatus(rawValue: 0xB000)
        counts.remaining = nil
        return RetrieveResult(DIMSEResult(status), subOperations: counts, failedSOPInstanceUIDs: failed)
    }
}

@Suite("C-GET through the router, without sockets")
struct RetrieveRouterTests {
    static let instances = [("1.2.3.1", [UInt8](repeating: 1, count: 1500)), ("1.2.3.2", [UInt8](repeating: 2, count: 700))]

    static var router: DIMSEServiceRouter {
        DIMSEServiceRouter([.init([RoutedAssociation.studyRootGet.abstractSyntax], to: ScriptedGetProvider(instances: instances))])
    }

    static func failedList(_ bytes: [UInt8]?) throws -> [String]? {
        var reader = try DataSetReader(bytes: try #require(bytes), transferSyntax: .implicitVRLittleEndian)
        return try reader.read().strings(Tag(0x0008, 0x0058))
    }

    @Test func subOperationsRunOnTheCallersAssociation() async throws {
        try await RoutedAssociation.serve(Self.router) { peer in
            let request = CGetRequest(messageID: 5, affectedSOPClassUID: RoutedAssociation.studyRootGet.abstractSyntax)
            try await peer.send(.cGetRQ(request), contextID: 7, dataSet: ServiceRouterTests.query)

            // The first instance arrives as a C-STORE-RQ on the storage context; it is stored.
            let first = try await peer.nextMessage()
            guard case .cStoreRQ(let store) = first.command else { throw HarnessError("no C-STORE-RQ: \(first.command)") }
            #expect(store.affectedSOPInstanceUID == "1.2.3.1")
            #expect(first.dataSet == Self.instances[0].1)
            try await peer.send(try #require(first.command.response(.success)), contextID: 3)
            #expect(try await peer.nextMessage().command == DIMSECommand.cGetRQ(request).response(
                .init(.pending), subOperations: SubOperationCounts(remaining: 1, completed: 1, failed: 0, warning: 0)))

            // The second is refused (out of resources): it counts as failed and is listed.
            let second = try await peer.nextMessage()
            #expect(second.dataSet == Self.instances[1].1)
            try await peer.send(try #require(second.command.response(.init(.outOfResources))), contextID: 3)
            #expect(try await peer.nextMessage().command == DIMSECommand.cGetRQ(request).response(
                .init(.pending), subOperations: SubOperationCounts(remaining: 0, completed: 1, failed: 1, warning: 0)))

            let final = try await peer.nextMessage()
            #expect(final.command == DIMSECommand.cGetRQ(request).response(
                .init(DIMSEStatus(rawValue: 0xB000)), hasDataSet: true,
                subOperations: SubOperationCounts(completed: 1, failed: 1, warning: 0)))
            #expect(try Self.failedList(final.dataSet) == ["1.2.3.2"])
        }
    }

    @Test func withoutTheStorageSCPRoleNothingIsSent() async throws {
        try await RoutedAssociation.serve(Self.router, grantingStorageSCPRole: false) { peer in
            let request = CGetRequest(messageID: 6, affectedSOPClassUID: RoutedAssociation.studyRootGet.abstractSyntax)
            try await peer.send(.cGetRQ(request), contextID: 7, dataSet: ServiceRouterTests.query)
            for _ in Self.instances {
                guard case .cGetRSP(let pending) = try await peer.nextMessage().command else { throw HarnessError("no C-GET-RSP") }
                #expect(pending.status == .pending)
            }
            let final = try await peer.nextMessage()
            #expect(try Self.failedList(final.dataSet) == ["1.2.3.1", "1.2.3.2"])
        }
    }
}

/// Accepts Study Root C-GET and CT storage (for the sub-operations, SCP role granted).
struct GetService: AssociationServiceHandler {
    let get: ScriptedGetProvider

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(.preferring([RoutedAssociation.studyRootGet.abstractSyntax: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"],
                             StoreCollector.ctImageStorage: ["1.2.840.10008.1.2"]]))
    }

    var router: DIMSEServiceRouter { DIMSEServiceRouter([.init([RoutedAssociation.studyRootGet.abstractSyntax], to: get)]) }
}

@Suite("C-GET through the router with DCMTK getscu", .serialized)
struct GetSCUInteropTests {
    /// A CT instance's data set in Implicit VR Little Endian.
    static func instance(_ uid: String) throws -> (String, [UInt8]) {
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0016), vr: .UI, string: StoreCollector.ctImageStorage)
        try dataSet.set(Tag(0x0008, 0x0018), vr: .UI, string: uid)
        try dataSet.set(Tag(0x0010, 0x0010), vr: .PN, string: "DOE^GET")
        return (uid, try DataSetWriter.encode(dataSet, transferSyntax: .implicitVRLittleEndian))
    }

    @Test func getscuReceivesEveryInstance() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("getscu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let uids = ["1.2.3.10", "1.2.3.11", "1.2.3.12"]
        let provider = ScriptedGetProvider(instances: try uids.map(Self.instance))
        let status = try await withAcceptor(GetService(get: provider), scpRoleSOPClasses: [StoreCollector.ctImageStorage]) { port in
            try await runProgram("/usr/bin/getscu", [
                "-S", "-aec", "TANDEM", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
                "-od", directory.path, "127.0.0.1", "\(port)"])
        }
        #expect(status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        // getscu names each file after its SOP class and instance (e.g. CT.1.2.3.10).
        #expect(files.count == uids.count)
        for uid in uids { #expect(files.contains { $0.hasSuffix(".\(uid)") }) }
    }
}
