import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// `dcmrecv` as Query/Retrieve SCP for DCMTK's movescu and getscu, and as Storage Commitment SCP
/// for pynetdicom: every instance arrives once, unknown destinations and refused sub-operations
/// get their statuses, commitment lists only what the archive holds.
@Suite("dcmrecv retrieve and storage commitment with DCMTK and pynetdicom peers", .serialized)
struct RetrieveTests {
    /// A receiver with `peers` in its tandem.toml, holding a synthetic study of two series of
    /// three instances, stored with storescu.
    struct Archive {
        let receiver: RunningReceiver
        let studyUID: String
        /// SOP Instance UID → its SOP Class and Series Instance UID.
        let instances: [String: (sopClass: String, series: String)]

        init(peers: String) async throws {
            receiver = try RunningReceiver.configured(peers)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-retrieve-in-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let files = try SyntheticStudy(StudySpecification(seriesCount: 2, instancesPerSeries: 3, instanceSize: 40 * 1024))
                .write(to: directory)
            var instances: [String: (String, String)] = [:]
            var study = ""
            for file in files {
                let dataSet = try DICOMFile(path: file.path, options: .headerOnly).dataSet
                instances[dataSet.string(.sopInstanceUID) ?? ""] = (dataSet.string(.sopClassUID) ?? "",
                                                                    dataSet.string(.seriesInstanceUID) ?? "")
                study = dataSet.string(.studyInstanceUID) ?? ""
            }
            studyUID = study
            self.instances = instances
            let stored = try await ExternalTool.runOffPool("storescu", ["-aec", "TANDEM", "+sd", "+r", "127.0.0.1",
                                                                        "\(receiver.port)", directory.path])
            try #require(stored.status == 0, "\(stored.stderr)")
        }
    }

    static func peer(_ aeTitle: String, port: Int) -> String {
        "[[peer]]\nae_title = \"\(aeTitle)\"\nhost = \"127.0.0.1\"\nport = \(port)\n"
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// DCMTK storescp as the C-MOVE destination `DEST`, writing into a fresh directory a file per
    /// received object (+uf), so that an instance sent twice shows as two files.
    static func moveDestination(_ extraArguments: [String] = []) throws -> (output: URL, storescp: PeerProcess) {
        let output = try temporaryDirectory("tandem-move-out")
        do {
            return (output, try PeerProcess.storescp(["-aet", "DEST", "+uf", "-od", output.path] + extraArguments))
        } catch {
            try? FileManager.default.removeItem(at: output)
            throw error
        }
    }

    /// The SOP Instance UIDs of the files in `directory`, one entry per file.
    static func receivedUIDs(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).map { name in
            try DICOMFile(path: directory.appendingPathComponent(name).path, options: .headerOnly).dataSet
                .string(.sopInstanceUID) ?? ""
        }
    }

    @Test("movescu to a storescp [[peer]]: every instance of the study arrives exactly once")
    func moveStudyToStorescp() async throws {
        let (output, destination) = try Self.moveDestination()
        defer { destination.stop(); try? FileManager.default.removeItem(at: output) }
        let archive = try await Archive(peers: Self.peer("DEST", port: destination.port))
        defer { archive.receiver.remove() }
        let moved = try await ExternalTool.runOffPool("movescu", [
            "-v", "-S", "-aec", "TANDEM", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "127.0.0.1", "\(archive.receiver.port)"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let received = try Self.receivedUIDs(in: output)
        #expect(received.count == archive.instances.count)
        #expect(Set(received) == Set(archive.instances.keys))
        let logged = try await archive.receiver.waitForLogEvents("C-MOVE", count: 1)
        #expect(logged.first?["status"] == "0000H" && logged.first?["completed"] == "6" && logged.first?["failed"] == "0")
    }

    @Test("movescu of one series by its UIDs moves that series only")
    func moveSeries() async throws {
        let (output, destination) = try Self.moveDestination()
        defer { destination.stop(); try? FileManager.default.removeItem(at: output) }
        let archive = try await Archive(peers: Self.peer("DEST", port: destination.port))
        defer { archive.receiver.remove() }
        let series = try #require(archive.instances.values.first?.series)
        let moved = try await ExternalTool.runOffPool("movescu", [
            "-S", "-aec", "TANDEM", "-aem", "DEST", "-k", "QueryRetrieveLevel=SERIES",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "-k", "SeriesInstanceUID=\(series)",
            "127.0.0.1", "\(archive.receiver.port)"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let expected = archive.instances.filter { $0.value.series == series }.keys
        #expect(try Self.receivedUIDs(in: output).sorted() == expected.sorted())
    }

    @Test("movescu to a destination that is not a [[peer]] is refused with A801, nothing sent")
    func moveToUnknownDestination() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let moved = try await ExternalTool.runOffPool("movescu", [
            "-v", "-S", "-aec", "TANDEM", "-aem", "NOBODY", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "127.0.0.1", "\(archive.receiver.port)"])
        let output = (moved.stdout + moved.stderr).lowercased()
        #expect(output.contains("refused: movedestinationunknown"), "\(output)")  // A801H as DCMTK names it
        #expect(archive.receiver.logEvents("C-MOVE refused: unknown move destination").count == 1)
    }

    @Test("a C-MOVE to dcmrecv's own AE title completes without sending: the instances are already there")
    func moveToItself() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let answer = try await Self.move(archive, to: "TANDEM")
        let final = try #require(answer["final"] as? [String: Any])
        #expect(final["status"] as? Int == 0)
        #expect((final["counts"] as? [String: Int])?["Completed"] == 6)
        #expect(try archive.receiver.indexedInstances().count == 6)
    }

    @Test("a C-MOVE to a [[peer]] that does not answer fails every instance (A702) and says why")
    func moveToUnreachableDestination() async throws {
        let archive = try await Archive(peers: Self.peer("DEST", port: try LoopbackPort.free()))
        defer { archive.receiver.remove() }
        let answer = try await Self.move(archive, to: "DEST")
        let final = try #require(answer["final"] as? [String: Any])
        #expect(final["status"] as? Int == 0xA702)
        #expect((final["counts"] as? [String: Int])?["Failed"] == 6)
        #expect(Set(final["list"] as? [String] ?? []) == Set(archive.instances.keys))
        let logged = try await archive.receiver.waitForLogEvents("C-MOVE", count: 1)
        #expect(logged.first?["comment"]?.isEmpty == false)
    }

    @Test("a retrieve at a level that does not exist is refused with A900")
    func moveAtUnknownLevel() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let moved = try await ExternalTool.runOffPool("movescu", [
            "-v", "-S", "-aec", "TANDEM", "-aem", "TANDEM", "-k", "QueryRetrieveLevel=WARD",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "127.0.0.1", "\(archive.receiver.port)"])
        let output = (moved.stdout + moved.stderr).lowercased()
        #expect(output.contains("error: datasetdoesnotmatchsopclass"), "\(output)")  // A900H as DCMTK names it
    }

    @Test("getscu retrieves the study on its own association")
    func getStudy() async throws {
        let output = try Self.temporaryDirectory("tandem-get-out")
        defer { try? FileManager.default.removeItem(at: output) }
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let got = try await ExternalTool.runOffPool("getscu", [
            "-S", "-aec", "TANDEM", "-od", output.path, "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "127.0.0.1", "\(archive.receiver.port)"])
        #expect(got.status == 0, "\(got.stderr)")
        let received = try Self.receivedUIDs(in: output)
        #expect(received.count == archive.instances.count)
        #expect(Set(received) == Set(archive.instances.keys))
        let logged = try await archive.receiver.waitForLogEvents("C-GET", count: 1)
        #expect(logged.first?["status"] == "0000H" && logged.first?["completed"] == "6")
    }

    /// A C-MOVE SCU after pynetdicom: prints the pending responses' count and the final
    /// response (status, counts, Failed SOP Instance UID List); "cancel" sends a C-CANCEL after
    /// the first pending response.
    static let moveScript = """
        import json, sys
        from pydicom.dataset import Dataset
        from pynetdicom import AE
        from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelMove as MOVE
        port, destination, study, cancel = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "cancel"
        ae = AE(ae_title="MOVER"); ae.add_requested_context(MOVE)
        ae.dimse_timeout = 60
        assoc = ae.associate("127.0.0.1", port, ae_title="TANDEM")
        query = Dataset(); query.QueryRetrieveLevel = "STUDY"; query.StudyInstanceUID = study
        pending, final = 0, None
        for status, identifier in assoc.send_c_move(query, destination, MOVE, msg_id=7):
            if status is None:
                break
            counts = {key: int(status.get("NumberOf" + key + "Suboperations", -1))
                      for key in ("Remaining", "Completed", "Failed", "Warning")}
            if status.Status in (0xFF00, 0xFF01):
                pending += 1
                if cancel and pending == 1:
                    assoc.send_c_cancel(7, assoc.accepted_contexts[0].context_id)
                continue
            failed = identifier.get("FailedSOPInstanceUIDList", []) if identifier else []
            final = {"status": status.Status, "counts": counts, "list": [failed] if isinstance(failed, str) else list(failed)}
        assoc.release()
        print(json.dumps({"pending": pending, "final": final}))
        """

    static func move(_ archive: Archive, to destination: String, cancel: Bool = false) async throws -> [String: Any] {
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", moveScript, "\(archive.receiver.port)",
                                                            destination, archive.studyUID, cancel ? "cancel" : "run"])
        try #require(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
    }

    @Test("C-CANCEL of a C-MOVE to a slow destination: pending counts meanwhile, then Cancel with the rest remaining")
    func moveCancelled() async throws {
        let (output, destination) = try Self.moveDestination(["--sleep-after", "1"])
        defer { destination.stop(); try? FileManager.default.removeItem(at: output) }
        let archive = try await Archive(peers: Self.peer("DEST", port: destination.port))
        defer { archive.receiver.remove() }
        let answer = try await Self.move(archive, to: "DEST", cancel: true)
        let final = try #require(answer["final"] as? [String: Any])
        let counts = try #require(final["counts"] as? [String: Int])
        #expect((answer["pending"] as? Int ?? 0) >= 1)
        #expect(final["status"] as? Int == 0xFE00)
        let remaining = try #require(counts["Remaining"])
        #expect(remaining >= 1)
        #expect(remaining + counts["Completed", default: 0] + counts["Failed", default: 0] + counts["Warning", default: 0] == 6)
        #expect(try Self.receivedUIDs(in: output).count == counts["Completed"])
    }

    @Test("a destination that aborts the association: every instance not stored is failed and listed (A702), dcmrecv serves on")
    func moveToAbortingDestination() async throws {
        let destination = try PeerProcess.storescp(["-aet", "DEST", "--ignore", "--abort-after"])
        defer { destination.stop() }
        let archive = try await Archive(peers: Self.peer("DEST", port: destination.port))
        defer { archive.receiver.remove() }
        let answer = try await Self.move(archive, to: "DEST")
        let final = try #require(answer["final"] as? [String: Any])
        #expect(final["status"] as? Int == 0xA702)
        #expect((final["counts"] as? [String: Int])?["Failed"] == 6)
        #expect(Set(final["list"] as? [String] ?? []) == Set(archive.instances.keys))
        let echo = try await ExternalTool.runOffPool("echoscu", ["-aec", "TANDEM", "127.0.0.1", "\(archive.receiver.port)"])
        #expect(echo.status == 0)
    }

    @Test("with require_known_callers, a peer that may get but not store retrieves with getscu, and its C-STORE is refused (0124)")
    func getOnlyPeer() async throws {
        let output = try Self.temporaryDirectory("tandem-get-out")
        defer { try? FileManager.default.removeItem(at: output) }
        let archive = try await Archive(peers: "[security]\nrequire_known_callers = true\n"
            + Self.peer("STORESCU", port: 104) + "[[peer]]\nae_title = \"VIEWER\"\nhost = \"127.0.0.1\"\nport = 104\nservices = [\"get\"]\n")
        defer { archive.receiver.remove() }
        let got = try await ExternalTool.runOffPool("getscu", [
            "-S", "-aet", "VIEWER", "-aec", "TANDEM", "-od", output.path, "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=\(archive.studyUID)", "127.0.0.1", "\(archive.receiver.port)"])
        #expect(got.status == 0, "\(got.stderr)")
        #expect(Set(try Self.receivedUIDs(in: output)) == Set(archive.instances.keys))
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: output.path).first)
        let stored = try await ExternalTool.runOffPool("storescu", ["-v", "-aet", "VIEWER", "-aec", "TANDEM", "127.0.0.1",
                                                                    "\(archive.receiver.port)", output.appendingPathComponent(file).path])
        #expect((stored.stdout + stored.stderr).contains("Status: 0x124"), "\(stored.stdout + stored.stderr)")
    }

    /// pynetdicom as C-GET SCU taking the Storage SCP role for CT (PS3.7 D.3.3.4), storing
    /// slowly (1 s per instance) and cancelling after the first pending response.
    @Test("C-CANCEL of a C-GET: the sub-operations stop, the final response is Cancel with the rest remaining")
    func getCancelled() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let script = """
            import json, sys, time
            from pydicom.dataset import Dataset
            from pynetdicom import AE, evt, build_role
            from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as GET, CTImageStorage
            stored = []
            def on_store(event):
                time.sleep(1)
                stored.append(event.request.AffectedSOPInstanceUID)
                return 0x0000
            ae = AE(ae_title="GETTER"); ae.add_requested_context(GET); ae.add_requested_context(CTImageStorage)
            ae.dimse_timeout = 60
            assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title="TANDEM", ext_neg=[build_role(CTImageStorage, scp_role=True)],
                                 evt_handlers=[(evt.EVT_C_STORE, on_store)])
            get_context = [c for c in assoc.accepted_contexts if c.abstract_syntax == GET][0].context_id
            query = Dataset(); query.QueryRetrieveLevel = "STUDY"; query.StudyInstanceUID = sys.argv[2]
            pending, final = 0, None
            for status, identifier in assoc.send_c_get(query, GET, msg_id=9):
                if status is None:
                    break
                if status.Status in (0xFF00, 0xFF01):
                    pending += 1
                    if pending == 1:
                        assoc.send_c_cancel(9, get_context)
                    continue
                final = {"status": status.Status, "remaining": int(status.get("NumberOfRemainingSuboperations", -1)),
                         "completed": int(status.get("NumberOfCompletedSuboperations", -1))}
            assoc.release()
            print(json.dumps({"pending": pending, "final": final, "stored": len(stored)}))
            """
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", script, "\(archive.receiver.port)", archive.studyUID])
        try #require(run.status == 0, "\(run.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        let final = try #require(answer["final"] as? [String: Int])
        #expect(final["status"] == 0xFE00)
        #expect(final["remaining", default: 0] >= 1)
        #expect(final["completed"] == answer["stored"] as? Int)
        #expect(final["remaining", default: 0] + final["completed", default: 0] == 6)
    }

    /// pynetdicom's C-GET with no storage context: every sub-operation fails, and the final
    /// response says so (A702H) with the Failed SOP Instance UID List.
    @Test("a C-GET whose caller offers no storage contexts fails with A702 and lists the instances")
    func getWithoutStorageContexts() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let script = """
            import json, sys
            from pydicom.dataset import Dataset
            from pynetdicom import AE
            from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as GET
            ae = AE(ae_title="GETTER"); ae.add_requested_context(GET)
            assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title="TANDEM")
            query = Dataset(); query.QueryRetrieveLevel = "STUDY"; query.StudyInstanceUID = sys.argv[2]
            final = None
            for status, identifier in assoc.send_c_get(query, GET):
                if status and status.Status not in (0xFF00, 0xFF01):
                    failed = identifier.get("FailedSOPInstanceUIDList", []) if identifier else []
                    final = {"status": status.Status, "failed": int(status.get("NumberOfFailedSuboperations", 0)),
                             "list": [failed] if isinstance(failed, str) else list(failed)}
            assoc.release()
            print(json.dumps(final))
            """
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", script, "\(archive.receiver.port)", archive.studyUID])
        try #require(run.status == 0, "\(run.stderr)")
        let final = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(final["status"] as? Int == 0xA702)
        #expect(final["failed"] as? Int == 6)
        #expect(Set(final["list"] as? [String] ?? []) == Set(archive.instances.keys))
    }
}
