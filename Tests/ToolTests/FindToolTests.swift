import DICOMCore
import Foundation
import Testing

private typealias Tag = DICOMCore.Tag

/// dcmrecv's C-FIND SCP (PS3.4 C.4.1) against DCMTK's findscu: both information models, every
/// level, the matching kinds of PS3.4 C.2.2.2, computed attributes, character sets, bad input.
/// findscu cannot negotiate relational queries, so its queries are hierarchical (C.4.1.2.1).
@Suite("dcmrecv answers findscu", .serialized)
struct FindToolTests {
    typealias Fixture = QueryArchiveFixture

    static func receiverWithArchive(_ toml: String = "") async throws -> RunningReceiver {
        let receiver = try RunningReceiver.configured(toml)
        try await Fixture.store(into: receiver)
        return receiver
    }

    @Test("Patient Root: PATIENT, STUDY, SERIES and IMAGE levels with their unique keys and computed attributes")
    func patientRoot() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let port = receiver.port, study1 = Fixture.study(1)

        let patients = try await FindRun.run("-P", ["QueryRetrieveLevel=PATIENT", "PatientName=GARCIA*", "PatientID",
                                                    "NumberOfPatientRelatedStudies"], port: port)
        #expect(patients.finalStatus == "Success", "\(patients.log)")
        #expect(patients.values(.patientID) == ["P1", "P2"])
        let maria = try #require(patients.responses.first { $0.string(.patientID) == "P1" })
        #expect(maria.string(.numberOfPatientRelatedStudies) == "2")
        #expect(maria.string(.queryRetrieveLevel) == "PATIENT")

        let studies = try await FindRun.run("-P", [
            "QueryRetrieveLevel=STUDY", "PatientID=P1", "StudyInstanceUID", "StudyDate", "ModalitiesInStudy",
            "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances", "SOPClassesInStudy"], port: port)
        #expect(studies.values(.studyInstanceUID) == [study1.studyUID, Fixture.study(5).studyUID])
        let first = try #require(studies.responses.first { $0.string(.studyInstanceUID) == study1.studyUID })
        #expect(first.strings(.modalitiesInStudy)?.sorted() == ["CT", "MR"])
        #expect(first.string(.numberOfStudyRelatedSeries) == "2")
        #expect(first.string(.numberOfStudyRelatedInstances) == "4")
        #expect(first.strings(.sopClassesInStudy)?.sorted() == Fixture.sopClasses.values.sorted())

        let series = try await FindRun.run("-P", [
            "QueryRetrieveLevel=SERIES", "PatientID=P1", "StudyInstanceUID=\(study1.studyUID)", "SeriesInstanceUID",
            "Modality", "NumberOfSeriesRelatedInstances"], port: port)
        #expect(series.values(.seriesInstanceUID) == [study1.seriesUID(0), study1.seriesUID(1)])
        #expect(series.responses.allSatisfy { $0.string(.numberOfSeriesRelatedInstances) == "2" })

        let images = try await FindRun.run("-P", [
            "QueryRetrieveLevel=IMAGE", "PatientID=P1", "StudyInstanceUID=\(study1.studyUID)",
            "SeriesInstanceUID=\(study1.seriesUID(1))", "SOPInstanceUID", "InstanceNumber", "SOPClassUID"], port: port)
        #expect(images.values(.sopInstanceUID) == [study1.instanceUID(series: 1, 0), study1.instanceUID(series: 1, 1)])
        #expect(images.values(.sopClassUID) == [Fixture.sopClasses["MR"]!, Fixture.sopClasses["MR"]!])
        #expect(receiver.stop() == 0)
    }

    @Test("Study Root: single value, wildcards, date and time ranges (open at either end), UID lists, universal, sequences")
    func studyRootMatching() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let port = receiver.port
        func studies(_ keys: String...) async throws -> [String] {
            let run = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY", "StudyID"] + keys, port: port)
            #expect(run.finalStatus == "Success", "\(keys): \(run.log)")
            return run.values(.studyID)
        }
        #expect(try await studies("StudyDate=20260101-20260131") == ["S1", "S5"])
        #expect(try await studies("StudyDate=-20251231") == ["S3"])
        #expect(try await studies("StudyDate=20260201-") == ["S2", "S4"])
        #expect(try await studies("StudyDate=20260215") == ["S2"])
        #expect(try await studies("StudyTime=0900-1030") == ["S1", "S5"])
        #expect(try await studies("StudyTime=14") == ["S2"])
        #expect(try await studies("StudyInstanceUID=\(Fixture.study(2).studyUID)\\\(Fixture.study(4).studyUID)") == ["S2", "S4"])
        #expect(try await studies("AccessionNumber=ACC3") == ["S3"])
        #expect(try await studies("PatientName=GARCI?^JUAN") == ["S2"])
        #expect(try await studies("PatientName=GARCIA*") == ["S1", "S2", "S5"])
        #expect(try await studies("PatientName=garcia*").isEmpty)  // exact case unless configured
        #expect(try await studies("ModalitiesInStudy=MR") == ["S1", "S2"])
        #expect(try await studies("PatientID=*", "StudyInstanceUID") == ["S1", "S2", "S3", "S4", "S5"])
        #expect(try await studies("PatientID=P1", "StudyDate=20260115-") == ["S5"])

        let study1 = Fixture.study(1)
        let series = try await FindRun.run("-S", ["QueryRetrieveLevel=SERIES", "StudyInstanceUID=\(study1.studyUID)",
                                                  "Modality=MR", "SeriesNumber"], port: port)
        #expect(series.values(.seriesInstanceUID) == [study1.seriesUID(1)])
        #expect(series.values(.seriesNumber) == ["2"])
        let images = try await FindRun.run("-S", ["QueryRetrieveLevel=IMAGE", "StudyInstanceUID=\(study1.studyUID)",
                                                  "SeriesInstanceUID=\(study1.seriesUID(0))", "InstanceNumber=2"],
                                           port: port)
        #expect(images.values(.sopInstanceUID) == [study1.instanceUID(series: 0, 1)])
        #expect(receiver.stop() == 0)
    }

    @Test("non-ASCII names are found in ISO_IR 100 and ISO_IR 192 and answered in the request's character set")
    func characterSets() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        func query(_ characterSet: String, _ key: Tag, _ vr: VR, _ value: String) async throws -> FindRun {
            var identifier = DataSet()
            try identifier.set(.specificCharacterSet, vr: .CS, string: characterSet)
            try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
            try identifier.set(key, vr: vr, string: value)
            try identifier.set(.patientName, vr: .PN, string: key == .patientName ? value : "")
            return try await FindRun.run("-S", identifier: identifier, port: receiver.port)
        }
        let latin1 = try await query("ISO_IR 100", .patientName, .PN, "Müller*")
        #expect(latin1.responses.map { $0.specificCharacterSet.terms } == [["ISO_IR 100"]], "\(latin1.log)")
        #expect(latin1.responses.first?.string(.patientName) == "Müller^Jürgen")
        #expect(latin1.responses.first?.bytes(.patientName)?.contains(0xFC) == true)  // ü in ISO 8859-1

        let unicode = try await query("ISO_IR 192", .patientName, .PN, "Şahin^Elif")
        #expect(unicode.responses.map { $0.specificCharacterSet.terms } == [["ISO_IR 192"]], "\(unicode.log)")
        #expect(unicode.responses.first?.string(.patientName) == "Şahin^Elif")

        // Ş is not in ISO 8859-1: the answer falls back to ISO_IR 192 and says so.
        let fallback = try await query("ISO_IR 100", .patientID, .LO, "P4")
        #expect(fallback.responses.map { $0.specificCharacterSet.terms } == [["ISO_IR 192"]])
        #expect(fallback.responses.first?.string(.patientName) == "Şahin^Elif")
        #expect(receiver.stop() == 0)
    }

    @Test("[query] case_insensitive_names finds names whatever their case")
    func caseInsensitiveNames() async throws {
        let receiver = try await Self.receiverWithArchive("[query]\ncase_insensitive_names = true\n")
        defer { receiver.remove() }
        let run = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY", "PatientName=garcia^m*", "StudyID"],
                                        port: receiver.port)
        #expect(run.values(.studyID) == ["S1", "S5"])
        let accented = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY", "PatientID=P3", "StudyID"],
                                             port: receiver.port)
        #expect(accented.values(.studyID) == ["S3"])
        #expect(receiver.stop() == 0)
    }

    @Test("bad identifiers get a failure status with the offending element; large UID lists are answered")
    func badInput() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let port = receiver.port
        func status(_ model: String, _ keys: [String]) async throws -> FindRun {
            try await FindRun.run(model, keys, port: port)
        }
        // A900 Identifier does not match SOP Class (PS3.4 Table C.4-1).
        #expect(try await status("-S", ["QueryRetrieveLevel=PATIENT", "PatientID"]).finalStatus
            == "Error: DataSetDoesNotMatchSOPClass")
        #expect(try await status("-S", ["QueryRetrieveLevel=STUDIES", "PatientID"]).finalStatus
            == "Error: DataSetDoesNotMatchSOPClass")
        #expect(try await status("-S", ["PatientID=P1"]).finalStatus == "Error: DataSetDoesNotMatchSOPClass")
        #expect(try await status("-S", ["QueryRetrieveLevel=STUDY", "(0009,0010)=X"]).finalStatus
            == "Error: DataSetDoesNotMatchSOPClass")
        #expect(try await status("-S", ["QueryRetrieveLevel=STUDY", "SOPInstanceUID=1.2"]).finalStatus
            == "Error: DataSetDoesNotMatchSOPClass")
        // C000 Unable to process: values that cannot be matched.
        let malformed = try await status("-S", ["QueryRetrieveLevel=STUDY", "StudyDate=20260101-20260201-20260301"])
        #expect(malformed.finalStatus == "Failed: UnableToProcess")
        #expect(malformed.log.contains("(0008,0020)"), "\(malformed.log)")  // Offending Element
        #expect(try await status("-S", ["QueryRetrieveLevel=STUDY", "StudyDate=20261301"]).finalStatus
            == "Failed: UnableToProcess")
        #expect(try await status("-S", ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=1.2.*"]).finalStatus
            == "Failed: UnableToProcess")
        #expect(try await status("-S", ["QueryRetrieveLevel=SERIES", "Modality=CT"]).finalStatus
            == "Failed: UnableToProcess")  // hierarchical: no StudyInstanceUID
        var long = DataSet()
        try long.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        try long.set(.patientName, vr: .PN, string: String(repeating: "A", count: 65_536))
        #expect(try await FindRun.run("-S", identifier: long, port: port).finalStatus == "Failed: UnableToProcess")
        var wrongVR = DataSet()
        try wrongVR.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        try wrongVR.set(.studyDate, vr: .LO, string: "20260110")
        #expect(try await FindRun.run("-S", identifier: wrongVR, port: port).finalStatus
            == "Error: DataSetDoesNotMatchSOPClass")

        // 10,000 UIDs in a list: answered, two of them match.
        var list = DataSet()
        try list.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        let uids = (0..<9_998).map { "1.2.826.0.1.3680043.10.9.\($0)" } + [Fixture.study(1).studyUID, Fixture.study(3).studyUID]
        try list.set(.studyInstanceUID, vr: .UI, strings: uids)
        let listed = try await FindRun.run("-S", identifier: list, port: port)
        #expect(listed.finalStatus == "Success", "\(listed.log.suffix(500))")
        #expect(listed.values(.studyInstanceUID) == [Fixture.study(1).studyUID, Fixture.study(3).studyUID])

        // A value on an attribute the index does not keep: every study matches, with the warning status.
        let unsupported = try await status("-S", ["QueryRetrieveLevel=STUDY", "PatientComments=X", "StudyID"])
        #expect(unsupported.finalStatus == "Success")
        #expect(unsupported.responses.count == 5)
        #expect(unsupported.log.components(separatedBy: "(Pending: WarningUnsupportedOptionalKeys)").count == 6,
                "\(unsupported.log)")
        #expect(receiver.stop() == 0)
    }

    @Test("findscu --cancel: the pending responses stop and the final status is Cancel (FE00)")
    func cancel() async throws {
        let receiver = try RunningReceiver.configured("")
        defer { receiver.remove() }
        // 3,000 patients straight into the index: C-FIND reads only the index, and storing them
        // over DICOM would take most of the test's time.
        let patients = """
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000)
            INSERT INTO patient (patient_id, issuer_of_patient_id, patient_name, patient_name_folded)
            SELECT 'C' || x, '', 'CANCEL^' || x, 'cancel^' || x FROM n
            """
        #expect(try ExternalTool.run("sqlite3", [receiver.root.appendingPathComponent("index.sqlite").path, patients]).status == 0)
        let all = try await FindRun.run("-P", ["QueryRetrieveLevel=PATIENT", "PatientName=CANCEL*"], port: receiver.port)
        #expect(all.finalStatus == "Success")
        #expect(all.responses.count == 3_000)

        let cancelled = try await FindRun.run("-P", ["QueryRetrieveLevel=PATIENT", "PatientName=CANCEL*"],
                                              port: receiver.port, extra: ["--cancel", "1"])
        #expect(cancelled.finalStatus == "Cancel: MatchingTerminatedDueToCancelRequest", "\(cancelled.log.suffix(400))")
        #expect(cancelled.responses.count < 3_000)
        let summaries = try await receiver.waitForLogEvents("association ended", count: 3)
        #expect(Int(summaries.last?["matches"] ?? "") ?? 3_000 < 3_000, "\(summaries.last ?? [:])")
        #expect(receiver.stop() == 0)
    }

    @Test("Sequence Matching (PS3.4 C.2.2.2.6): item values match within one item, return keys are filled")
    func sequenceMatching() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let port = receiver.port
        let referenced = try await FindRun.run("-S", [
            "QueryRetrieveLevel=STUDY", "StudyID",
            "(0008,1110)[0].(0008,1155)=\(Fixture.study(4).referencedStudyUID)", "(0008,1110)[0].(0008,1150)"],
            port: port)
        #expect(referenced.finalStatus == "Success", "\(referenced.log)")
        #expect(referenced.values(.studyID) == ["S4"])
        #expect(!referenced.log.contains("WarningUnsupportedOptionalKeys"), "\(referenced.log)")
        let item = try #require(referenced.responses.first?.items(.referencedStudySequence)?.first)
        #expect(item.string(.referencedSOPInstanceUID) == Fixture.study(4).referencedStudyUID)
        #expect(item.string(.referencedSOPClassUID) == "1.2.840.10008.3.1.2.3.1")

        // A series-level sequence, hierarchical as findscu is: both values must sit in one item.
        let allStudies = Fixture.studies.map(\.studyUID).joined(separator: "\\")
        func series(_ procedure: String, _ step: String) async throws -> FindRun {
            try await FindRun.run("-S", [
                "QueryRetrieveLevel=SERIES", "StudyInstanceUID=\(allStudies)", "SeriesInstanceUID",
                "RequestAttributesSequence[0].RequestedProcedureID=\(procedure)",
                "RequestAttributesSequence[0].ScheduledProcedureStepID=\(step)"], port: port)
        }
        #expect(try await series("RP1", "SPS9").responses.isEmpty)
        let sameItem = try await series("RP9", "SPS9")
        #expect(sameItem.values(.seriesInstanceUID) == [Fixture.study(1).seriesUID(0), Fixture.study(1).seriesUID(1)])
        #expect(sameItem.responses.allSatisfy {
            $0.items(.requestAttributesSequence)?.map { $0.string(.requestedProcedureID) } == ["RP9"]
        }, "only the matching item is answered")
        let wildcard = try await series("RP?", "")
        #expect(wildcard.responses.count == 6)
        #expect(wildcard.responses.compactMap { $0.items(.requestAttributesSequence)?.count }.sorted() == [1, 1, 1, 1, 2, 2])

        // Text in items is decoded at ingest and answered in a character set that holds it.
        let code = try await FindRun.run("-S", [
            "QueryRetrieveLevel=STUDY", "StudyID", "ProcedureCodeSequence[0].CodeValue=CT*",
            "ProcedureCodeSequence[0].CodeMeaning"], port: port)
        #expect(code.values(.studyID) == ["S3"], "\(code.log)")
        #expect(code.responses.first?.items(.procedureCodeSequence)?.first?.string(.codeMeaning)
                == Fixture.procedureCode.meaning)
        // A series-level sequence is not a STUDY-level key (A900), like any key of a lower level.
        let misplaced = try await FindRun.run("-S", ["QueryRetrieveLevel=STUDY", "RequestAttributesSequence[0].RequestedProcedureID=RP1"],
                                              port: port)
        #expect(misplaced.finalStatus == "Error: DataSetDoesNotMatchSOPClass", "\(misplaced.log)")
        #expect(receiver.stop() == 0)
    }

    @Test("Sequence Matching through pynetdicom: relational SERIES query on an item value, pending FF00 with the item")
    func sequenceMatchingWithPynetdicom() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let script = """
            import sys
            from pydicom.dataset import Dataset
            from pynetdicom import AE
            from pynetdicom.pdu_primitives import SOPClassExtendedNegotiation
            find = "1.2.840.10008.5.1.4.1.2.2.1"
            ae = AE(ae_title="FINDSCU")
            ae.add_requested_context(find)
            relational = SOPClassExtendedNegotiation()
            relational.sop_class_uid = find
            relational.service_class_application_information = b"\\x01"
            assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title="TANDEM", ext_neg=[relational])
            query = Dataset()
            query.QueryRetrieveLevel = "SERIES"
            query.StudyID = ""
            item = Dataset()
            item.RequestedProcedureID = "RP2"
            item.ScheduledProcedureStepID = ""
            query.RequestAttributesSequence = [item]
            for status, identifier in assoc.send_c_find(query, find):
                if identifier is not None and status.Status in (0xFF00, 0xFF01):
                    answered = identifier.RequestAttributesSequence[0]
                    print(f"{status.Status:04X} {identifier.StudyID} {answered.RequestedProcedureID} {answered.ScheduledProcedureStepID}")
                else:
                    print(f"{status.Status:04X}")
            assoc.release()
            """
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", script, "\(receiver.port)"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n") == ["FF00 S2 RP2 SPS2", "0000"], "\(run.stdout) \(run.stderr)")
        #expect(receiver.stop() == 0)
    }

    @Test("relational queries when negotiated (pynetdicom): a SERIES query without the study's UID")
    func relationalQueries() async throws {
        let receiver = try await Self.receiverWithArchive()
        defer { receiver.remove() }
        let script = """
            import sys
            from pydicom.dataset import Dataset
            from pynetdicom import AE
            from pynetdicom.pdu_primitives import SOPClassExtendedNegotiation
            find = "1.2.840.10008.5.1.4.1.2.2.1"
            for relational in (True, False):
                ae = AE(ae_title="FINDSCU")
                ae.add_requested_context(find)
                negotiation = []
                if relational:
                    item = SOPClassExtendedNegotiation()
                    item.sop_class_uid = find
                    item.service_class_application_information = b"\\x01"
                    negotiation.append(item)
                assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title="TANDEM", ext_neg=negotiation)
                query = Dataset()
                query.QueryRetrieveLevel = "SERIES"
                query.Modality = "MR"
                query.SeriesInstanceUID = ""
                statuses = [status.Status for status, _ in assoc.send_c_find(query, find)]
                assoc.release()
                print(f"{relational} {statuses.count(0xFF00)} {statuses[-1]:04X}")
            """
        let run = try await ExternalTool.runOffPool("env", ["python3", "-c", script, "\(receiver.port)"])
        #expect(run.status == 0, "\(run.stderr)")
        // Relational: the MR series of studies 1 and 2; hierarchical: refused, C000.
        #expect(run.stdout.split(separator: "\n") == ["True 2 0000", "False 0 C000"], "\(run.stdout) \(run.stderr)")
        #expect(receiver.stop() == 0)
    }
}
