import Foundation
import Testing

/// `dcmrecv` as Storage Commitment SCP (push model, PS3.4 Annex J) for pynetdicom: the report
/// lists only what the archive holds, on the requestor's association or a new one, and one that
/// cannot be delivered is kept and retried.
extension RetrieveTests {
    /// How the report is received, in Python after pynetdicom: on the requesting association or,
    /// with role selection, on an association the archive opens to `port` (PS3.4 J.3.3).
    static let commitmentReportHandler = """
        import json, sys, threading
        from pydicom.dataset import Dataset
        from pynetdicom import AE, evt
        from pynetdicom.sop_class import StorageCommitmentPushModel as COMMIT
        result, done, heard_on_listener = {}, threading.Event(), threading.Event()
        releasing = threading.Event()
        def on_report(event):
            if event.assoc.is_acceptor:
                heard_on_listener.set()
            elif releasing.is_set():
                result["during_release"] = True
            info = event.event_information
            result["event_type"] = event.event_type
            result["transaction"] = info.TransactionUID
            result["committed"] = [item.ReferencedSOPInstanceUID for item in info.get("ReferencedSOPSequence", [])]
            result["failed"] = {item.ReferencedSOPInstanceUID: int(item.FailureReason)
                                for item in info.get("FailedSOPSequence", [])}
            done.set()
            return 0x0000, None
        ae = AE(ae_title="COMMITTER")
        ae.add_requested_context(COMMIT)
        ae.add_supported_context(COMMIT, scu_role=False, scp_role=True)
        handlers = [(evt.EVT_N_EVENT_REPORT, on_report)]
        """

    /// A Storage Commitment SCU: N-ACTION for two stored instances and one the archive never
    /// received; then either the report is awaited on the same association (`keep`), or the SCU
    /// releases at once and awaits it on its own listener (`release`), or releases with no
    /// listener up (`release-unheard`: the report cannot be delivered). A report that reached the
    /// requesting association once its release had begun may have found it unable to answer
    /// (PS3.8 Sta7); the listener then stays up, at most 30 s, for the report on a new association.
    static let commitmentScript = commitmentReportHandler + "\n" + """
        port, mode = int(sys.argv[1]), sys.argv[2]
        references = json.loads(sys.argv[3])
        server = None
        if mode == "release":
            server = ae.start_server(("127.0.0.1", int(sys.argv[4])), block=False, evt_handlers=handlers)
        assoc = ae.associate("127.0.0.1", port, ae_title="TANDEM", evt_handlers=handlers)
        request = Dataset(); request.TransactionUID = "1.2.826.0.1.3680043.10.1.99"
        request.ReferencedSOPSequence = []
        for sop_class, sop_instance in references:
            item = Dataset(); item.ReferencedSOPClassUID = sop_class; item.ReferencedSOPInstanceUID = sop_instance
            request.ReferencedSOPSequence.append(item)
        status, _ = assoc.send_n_action(request, 1, COMMIT, "1.2.840.10008.1.20.1.1")
        result["action_status"] = status.Status if status else None
        if mode != "keep":
            releasing.set()
            assoc.release()
        if mode != "release-unheard":
            done.wait(30)
        if mode == "release" and result.get("during_release"):
            heard_on_listener.wait(30)
        if mode == "keep":
            assoc.release()
        if server:
            server.shutdown()
        print(json.dumps(result))
        """

    /// The requestor coming back: listens on `port` for the report, at most 60 s.
    static let commitmentListenerScript = commitmentReportHandler + "\n" + """
        server = ae.start_server(("127.0.0.1", int(sys.argv[1])), block=False, evt_handlers=handlers)
        done.wait(60)
        server.shutdown()
        print(json.dumps(result))
        """

    /// What the pynetdicom requestor (`commitmentScript`) asked about: the archive's first two
    /// instances and an unknown one, and its output.
    struct CommitmentRequest {
        let run: ToolRun
        let references: [[String]]
        let unknown: String
    }

    /// Runs the requestor in `mode` (keep, release, release-unheard), with `listenPort` where it
    /// listens for a report on a new association.
    static func requestCommitment(_ archive: Archive, mode: String, listenPort: Int? = nil) async throws -> CommitmentRequest {
        let stored = archive.instances.sorted { $0.key < $1.key }.prefix(2).map { [$0.value.sopClass, $0.key] }
        let unknown = "1.2.826.0.1.3680043.10.1.404"
        let references = stored + [[stored[0][0], unknown]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: references), as: UTF8.self)
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", commitmentScript, "\(archive.receiver.port)", mode, json]
                                                        + (listenPort.map { ["\($0)"] } ?? []))
        return CommitmentRequest(run: run, references: references, unknown: unknown)
    }

    /// Checks the report `run` printed against what `request` asked about.
    static func expectReport(_ run: ToolRun, for request: CommitmentRequest, actionAnswered: Bool = true) throws {
        let references = request.references, unknown = request.unknown
        try #require(run.status == 0, "\(run.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        if actionAnswered { #expect(result["action_status"] as? Int == 0) }
        #expect(result["event_type"] as? Int == 2)
        #expect(result["transaction"] as? String == "1.2.826.0.1.3680043.10.1.99")
        #expect(Set(result["committed"] as? [String] ?? []) == Set(references.prefix(2).map { $0[1] }))
        #expect(result["failed"] as? [String: Int] == [unknown: 0x0112])  // No such object instance
    }

    @Test("pynetdicom storage commitment: stored instances committed, an unknown one failed, on the same association")
    func commitmentOnSameAssociation() async throws {
        let archive = try await Archive(peers: "")
        defer { archive.receiver.remove() }
        let request = try await Self.requestCommitment(archive, mode: "keep")
        try Self.expectReport(request.run, for: request)
    }

    /// The SCU releases as soon as the N-ACTION is answered. Whether the report still makes it onto
    /// that association depends on which comes first, the report or the A-RELEASE-RQ (both are
    /// allowed, PS3.4 J.3.3); either way it must arrive, and it goes on a new association when the
    /// requestor's has ended. When the report reached the requestor just as it released, its
    /// answer cannot come back (PS3.8 Sta7): the archive's request fails as the A-RELEASE-RQ
    /// arrives and the report goes at once on a new association, to the listener that waits for it.
    @Test("pynetdicom storage commitment: released at once, the report still arrives, on a new association to the [[peer]] once the first has ended")
    func commitmentOnNewAssociation() async throws {
        let listenPort = try LoopbackPort.free()
        let archive = try await Archive(peers: Self.peer("COMMITTER", port: listenPort))
        defer { archive.receiver.remove() }
        let request = try await Self.requestCommitment(archive, mode: "release", listenPort: listenPort)
        try Self.expectReport(request.run, for: request)
        let logged = try await archive.receiver.waitForLogEvents("storage commitment reported", count: 1)
        #expect(["same", "new"].contains(logged.first?["association"]), "\(archive.receiver.logText)")
        #expect(archive.receiver.logEvents("storage commitment report kept for retry").isEmpty, "\(archive.receiver.logText)")
    }

    /// With a `report_delay`, the report waits for the requestor's release, then goes at once on a
    /// new association: the path is certain, not a race with the release.
    @Test("storage commitment with report_delay: the requestor releases at once, the report comes on a new association")
    func commitmentOnNewAssociationAfterRelease() async throws {
        let listenPort = try LoopbackPort.free()
        let archive = try await Archive(peers: Self.peer("COMMITTER", port: listenPort) + "[commitment]\nreport_delay = 60\n")
        defer { archive.receiver.remove() }
        let request = try await Self.requestCommitment(archive, mode: "release", listenPort: listenPort)
        try Self.expectReport(request.run, for: request)
        let logged = try await archive.receiver.waitForLogEvents("storage commitment reported", count: 1)
        #expect(logged.first?["association"] == "new", "\(logged)")
    }

    /// The requestor is down when the report is due: it is kept in the index, retried with
    /// `[retry]`'s back-off, and delivered once the requestor listens again.
    @Test("an undelivered storage commitment report is kept and retried until the requestor listens again")
    func commitmentReportRetried() async throws {
        let listenPort = try LoopbackPort.free()
        let archive = try await Archive(peers: Self.peer("COMMITTER", port: listenPort) + """
            [commitment]
            report_delay = 60
            [retry]
            initial_delay = 1
            multiplier = 1
            max_delay = 1

            """)
        defer { archive.receiver.remove() }
        let request = try await Self.requestCommitment(archive, mode: "release-unheard")
        try #require(request.run.status == 0, "\(request.run.stderr)")
        let kept = try await archive.receiver.waitForLogEvents("storage commitment report kept for retry", count: 1)
        try #require(kept.count == 1, "\(archive.receiver.logText)")
        #expect(kept.first?["transaction"] == "1.2.826.0.1.3680043.10.1.99")
        let retried = try await archive.receiver.waitForLogEvents("storage commitment report retry failed", count: 1)
        #expect(retried.count >= 1, "\(archive.receiver.logText)")
        #expect(try await Self.keptReports(archive) == 1)

        let heard = try await ExternalTool.runOffPool("env", ["python3", "-c", Self.commitmentListenerScript, "\(listenPort)"])
        try Self.expectReport(heard, for: request, actionAnswered: false)
        let delivered = try await archive.receiver.waitForLogEvents("storage commitment reported", count: 1)
        #expect(delivered.first?["association"] == "new", "\(delivered)")
        #expect(Int(delivered.first?["attempts"] ?? "") ?? 0 >= 3, "\(delivered)")
        #expect(try await Self.keptReports(archive) == 0)
    }

    /// Rows of the index's table of reports kept for retry, read with Python's sqlite3.
    static func keptReports(_ archive: Archive) async throws -> Int {
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", """
            import sqlite3, sys
            print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM commitment_report").fetchone()[0])
            """, archive.receiver.root.appendingPathComponent("index.sqlite").path])
        try #require(run.status == 0, "\(run.stderr)")
        return try #require(Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
