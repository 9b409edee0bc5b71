import DICOMCore
import Foundation
import Testing
@testable import DICOMNetwork

/// Accepts Study Root C-FIND and routes it to a scripted provider.
struct FindService: AssociationServiceHandler {
    let find: ScriptedFindProvider

    func decide(on request: AAssociateRQ) async -> AssociationDecision {
        .accept(.preferring([RoutedAssociation.studyRootFind.abstractSyntax: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]]))
    }

    var router: DIMSEServiceRouter { DIMSEServiceRouter([.init([RoutedAssociation.studyRootFind.abstractSyntax], to: find)]) }
}

@Suite("C-FIND through the router with DCMTK findscu", .serialized)
struct FindSCUInteropTests {
    /// Runs findscu (Study Root) against the service; returns its exit status and how many
    /// responses it extracted to files.
    static func findscu(_ find: ScriptedFindProvider, extra: [String] = []) async throws -> (status: Int32, responses: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("findscu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let status = try await withAcceptor(FindService(find: find)) { port in
            try await runProgram("/usr/bin/findscu", [
                "-S", "-aec", "TANDEM", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=DOE*",
                "-X", "-od", directory.path] + extra + ["127.0.0.1", "\(port)"])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("rsp") }
        return (status, files.count)
    }

    @Test func everyMatchArrives() async throws {
        let find = ScriptedFindProvider(matches: try ScriptedFindProvider.patients(4))
        let (status, responses) = try await Self.findscu(find)
        #expect(status == 0)
        #expect(responses == 4)
        #expect(await find.log.identifiers.first?.string(Tag(0x0010, 0x0010)) == "DOE*")
        #expect(await find.log.cancelledAfter == nil)
    }

    @Test func findscuCancelStopsThePendingResponses() async throws {
        // Three matches go out at once, then the provider waits for the cancel findscu sends
        // after its second response.
        let find = ScriptedFindProvider(matches: try ScriptedFindProvider.patients(6), holdAfter: 3)
        let (status, responses) = try await Self.findscu(find, extra: ["--cancel", "2"])
        #expect(status == 0)
        #expect(await find.log.cancelledAfter == 3)
        #expect(responses < 6)
    }
}
