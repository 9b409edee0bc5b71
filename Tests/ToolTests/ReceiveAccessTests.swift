import DICOMCore
import Foundation
import Testing

/// `[security] require_known_callers`: a `[[peer]]` AE title is admitted only from its own host,
/// and may store only with the "store" service. Clients connect from 127.0.0.1.
@Suite("dcmrecv admits known callers only", .serialized)
struct ReceiveAccessTests {
    static let configuration = """
        [security]
        require_known_callers = true

        [[peer]]
        ae_title = "SITE1"
        host = "127.0.0.1"
        port = 104
        services = ["store"]

        [[peer]]
        ae_title = "FARSITE"        # the right AE title from the wrong host
        host = "10.255.255.1"
        port = 104

        [[peer]]
        ae_title = "VIEWER"         # no "store": may echo, may not store
        host = "localhost"
        port = 104
        services = ["find", "move"]
        """

    static func echo(as calling: String, port: Int) async throws -> ToolRun {
        try await ExternalTool.runOffPool("echoscu", ["-aet", calling, "-aec", "TANDEM", "127.0.0.1", "\(port)"])
    }

    @Test("a known AE title from its host is accepted; from another host, or unknown, rejected with reason 3")
    func callers() async throws {
        let receiver = try RunningReceiver.configured(Self.configuration)
        defer { receiver.remove() }
        #expect(try await Self.echo(as: "SITE1", port: receiver.port).status == 0)
        let (directory, files) = try ReceiveTests.synthetic(.explicitVRLittleEndian, count: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try await ExternalTool.runOffPool("storescu", ["-aet", "SITE1", "-aec", "TANDEM", "127.0.0.1",
                                                       "\(receiver.port)", files[0].path])
        #expect(stored.status == 0, "\(stored.stderr)")
        try ReceiveTests.expectArchived(files, in: receiver)

        for stranger in ["FARSITE", "STRANGER"] {
            let refused = try await Self.echo(as: stranger, port: receiver.port)
            #expect(refused.status != 0)
            #expect((refused.stdout + refused.stderr).contains("Calling AE Title Not Recognized"), "\(refused.stderr)")
        }
        let rejections = receiver.logEvents("association rejected")
        #expect(rejections.map { $0["calling"] } == ["FARSITE", "STRANGER"])
        for event in rejections {
            #expect(event["level"] == "info")
            #expect(event["called"] == "TANDEM")
            #expect(event["peer"]?.hasPrefix("127.0.0.1:") == true, "\(event)")
            #expect(event["rejection"] == "rejected-permanent, service-user, calling AE title not recognized (3)")
        }
        #expect(receiver.stop() == 0)
    }

    @Test("a known caller without the store service may echo; proposing only storage it is rejected, nothing is stored")
    func noStoreService() async throws {
        let receiver = try RunningReceiver.configured(Self.configuration)
        defer { receiver.remove() }
        #expect(try await Self.echo(as: "VIEWER", port: receiver.port).status == 0)
        let (directory, files) = try ReceiveTests.synthetic(.explicitVRLittleEndian, count: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let refused = try await ExternalTool.runOffPool("storescu", ["-aet", "VIEWER", "-aec", "TANDEM", "127.0.0.1",
                                                        "\(receiver.port)", files[0].path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Association Rejected"), "\(refused.stderr)")
        #expect(try receiver.indexedInstances().isEmpty)
        let refusals = try await receiver.waitForLogEvents("presentation contexts refused: service not granted", count: 1)
        #expect(refusals.map { $0["services"] } == ["store"])
        #expect(refusals.first?["calling"] == "VIEWER")
        #expect(receiver.stop() == 0)
    }

    @Test("the find service gates C-FIND: a caller with it is answered, one without is rejected; each association logs its queries")
    func findService() async throws {
        let receiver = try RunningReceiver.configured(Self.configuration)
        defer { receiver.remove() }
        try await QueryArchiveFixture.store(into: receiver, callingAE: "SITE1")
        let answered = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY", "PatientName=GARCIA*"],
                                             port: receiver.port, callingAE: "VIEWER")
        #expect(answered.finalStatus == "Success", "\(answered.log)")
        #expect(answered.responses.count == 3)
        let refused = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY"], port: receiver.port, callingAE: "SITE1")
        #expect(refused.log.contains("Association Rejected"), "\(refused.log)")
        #expect(refused.responses.isEmpty)

        let refusals = try await receiver.waitForLogEvents("presentation contexts refused: service not granted", count: 1)
        #expect(refusals.map { $0["services"] } == ["find"])
        #expect(refusals.first?["calling"] == "SITE1")
        #expect(refusals.first?["contexts"] == "1")
        #expect(refusals.first?["sop_classes"] == "StudyRootQueryRetrieveInformationModelFind")
        let summaries = try await receiver.waitForLogEvents("association ended", count: 2)
        let viewer = try #require(summaries.first { $0["calling"] == "VIEWER" })
        #expect(viewer["queries"] == "1")
        #expect(viewer["matches"] == "3")
        #expect(viewer["stored"] == "0")
        #expect(receiver.stop() == 0)
    }
}
