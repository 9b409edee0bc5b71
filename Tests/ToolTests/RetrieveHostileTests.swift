import Foundation
import Testing

/// Hostile C-MOVE and C-GET requests (pynetdicom): each gets a clear final status, the archive
/// serves on, and nothing is deleted.
extension RetrieveTests {
    /// Sends each request on one association and prints its final status and counts. `archive`
    /// is the study; the SOP classes are offered for C-GET in two ways: without role selection
    /// (the caller keeps the SCU role, so it cannot take the sub-operations) and with it, but
    /// answering every C-STORE with A700 (it refuses them).
    static let hostileRetrieveScript = """
        import json, sys
        from pydicom.dataset import Dataset
        from pynetdicom import AE, evt, build_role
        from pynetdicom.sop_class import (StudyRootQueryRetrieveInformationModelMove as MOVE,
                                          StudyRootQueryRetrieveInformationModelGet as GET)
        port, study, sop_classes = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
        results = {}
        def final(responses):
            answer = None
            for status, identifier in responses:
                if status is None or "Status" not in status:  # no response: DIMSE timeout or abort
                    return {"status": None}
                if status.Status not in (0xFF00, 0xFF01):
                    failed = identifier.get("FailedSOPInstanceUIDList", []) if identifier else []
                    answer = {"status": status.Status,
                              "completed": int(status.get("NumberOfCompletedSuboperations", -1)),
                              "failed": int(status.get("NumberOfFailedSuboperations", -1)),
                              "list": [failed] if isinstance(failed, str) else list(failed)}
            return answer
        def query(level, **keys):
            ds = Dataset(); ds.QueryRetrieveLevel = level
            for key, value in keys.items():
                setattr(ds, key, value)
            return ds

        ae = AE(ae_title="HOSTILE"); ae.add_requested_context(MOVE); ae.add_requested_context(GET)
        ae.dimse_timeout = 300  # far beyond the seconds a loaded machine needs, debug build included
        assoc = ae.associate("127.0.0.1", port, ae_title="TANDEM")
        listed = query("STUDY", StudyInstanceUID=[f"1.2.826.0.1.3680043.10.7.{n}" for n in range(9_999)] + [study])
        listed.add_new(0x00091010, "LO", "a private key the retrieve ignores")
        results["list10000"] = final(assoc.send_c_move(listed, "TANDEM", MOVE))
        results["value64k"] = final(assoc.send_c_move(query("STUDY", StudyInstanceUID="1." * 32768), "TANDEM", MOVE))
        results["malformedList"] = final(assoc.send_c_move(query("STUDY", StudyInstanceUID=[study, "1.2.*"]), "TANDEM", MOVE))
        results["tooManyUIDs"] = final(assoc.send_c_move(
            query("STUDY", StudyInstanceUID=[f"1.2.826.0.1.3680043.10.8.{n}" for n in range(20_001)]), "TANDEM", MOVE))
        results["imageWithoutUID"] = final(assoc.send_c_move(query("IMAGE", StudyInstanceUID=study), "TANDEM", MOVE))
        results["unknownLevel"] = final(assoc.send_c_get(query("WARD", StudyInstanceUID=study), GET))
        assoc.release()

        scu_only = AE(ae_title="HOSTILE"); scu_only.add_requested_context(GET)
        for sop_class in sop_classes:
            scu_only.add_requested_context(sop_class)
        assoc = scu_only.associate("127.0.0.1", port, ae_title="TANDEM")
        results["getWithoutRole"] = final(assoc.send_c_get(query("STUDY", StudyInstanceUID=study), GET))
        assoc.release()

        refusing = AE(ae_title="HOSTILE"); refusing.add_requested_context(GET)
        for sop_class in sop_classes:
            refusing.add_requested_context(sop_class)
        roles = [build_role(sop_class, scp_role=True) for sop_class in sop_classes]
        assoc = refusing.associate("127.0.0.1", port, ae_title="TANDEM", ext_neg=roles,
                                   evt_handlers=[(evt.EVT_C_STORE, lambda event: 0xA700)])
        results["getRefused"] = final(assoc.send_c_get(query("STUDY", StudyInstanceUID=study), GET))
        assoc.release()
        print(json.dumps(results))
        """

    /// Instance rows of the index and whether each one's file is still there.
    static let archiveContentsScript = """
        import json, os, sqlite3, sys
        root = sys.argv[1]
        rows = sqlite3.connect(os.path.join(root, "index.sqlite")).execute(
            "SELECT sop_instance_uid, file_path FROM instance").fetchall()
        print(json.dumps({uid: os.path.exists(os.path.join(root, path)) for uid, path in rows}))
        """

    @Test("hostile C-MOVE and C-GET identifiers and callers get clear statuses; the archive keeps every instance")
    func hostileRetrieves() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let sopClasses = Array(Set(archive.instances.values.map(\.sopClass))).sorted()
        let json = String(decoding: try JSONSerialization.data(withJSONObject: sopClasses), as: UTF8.self)
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", Self.hostileRetrieveScript,
                                                            "\(archive.receiver.port)", archive.studyUID, json])
        try #require(run.status == 0, "\(run.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]],
                                   "\(run.stdout)")
        func status(_ name: String) -> Int? { results[name]?["status"] as? Int }
        // A move to ourselves completes without sending: 10,000 UIDs in the list, the study among them.
        #expect(status("list10000") == 0x0000 && results["list10000"]?["completed"] as? Int == 6, "\(results)")
        #expect(status("value64k") == 0xC000)  // Unable to process: not a UID
        #expect(status("malformedList") == 0xC000)
        // 20,001 UIDs: beyond the list maximum, out of resources as C-FIND answers it (A700H there)
        #expect(status("tooManyUIDs") == 0xA701, "\(results)")
        #expect(status("imageWithoutUID") == 0xC000)
        #expect(status("unknownLevel") == 0xA900)
        for refused in ["getWithoutRole", "getRefused"] {
            #expect(status(refused) == 0xA702, "\(refused): \(results)")
            #expect(results[refused]?["failed"] as? Int == 6, "\(refused): \(results)")
            #expect(Set(results[refused]?["list"] as? [String] ?? []) == Set(archive.instances.keys), "\(refused)")
        }

        let contents = try await ExternalTool.runOffPool("env", ["python3", "-c", Self.archiveContentsScript,
                                                                 archive.receiver.root.path])
        try #require(contents.status == 0, "\(contents.stderr)")
        let present = try #require(try JSONSerialization.jsonObject(with: Data(contents.stdout.utf8)) as? [String: Bool])
        #expect(present == Dictionary(uniqueKeysWithValues: archive.instances.keys.map { ($0, true) }))
    }
}
