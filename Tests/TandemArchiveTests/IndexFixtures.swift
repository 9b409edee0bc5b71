import Foundation
@testable import TandemArchive

/// Records and files for index tests.
enum IndexFixtures {
    static func record(study: String = "1.2.3.1", series: String = "1.2.3.1.1", sop: String,
                       modality: String = "CT", patientID: String = "P1", patientName: String = "DOE^JANE",
                       accession: String? = "A100", path: String? = nil) -> InstanceRecord {
        InstanceRecord(
            patient: PatientAttributes(patientID: patientID, name: patientName, birthDate: "19700101", sex: "F"),
            study: StudyAttributes(studyInstanceUID: study, date: "20240102", time: "101500", accessionNumber: accession,
                                   description: "CT HEAD", referringPhysician: "SMITH^J"),
            series: SeriesAttributes(seriesInstanceUID: series, modality: modality, number: 1, description: "AX",
                                     bodyPart: "HEAD"),
            sopInstanceUID: sop, sopClassUID: "1.2.840.10008.5.1.4.1.1.2", instanceNumber: 1,
            transferSyntaxUID: "1.2.840.10008.1.2.1",
            filePath: path ?? "objects/fixture/\(sop).dcm",
            fileSize: 10, receivedAt: Date(timeIntervalSince1970: 1_700_000_000), callingAE: "SITE1", calledAE: "TANDEM")
    }

    /// Writes `contents` through the durable writer and returns the record pointing at it. The
    /// journal entry in `incoming/` is settled unless `journaled`.
    static func stored(_ record: InstanceRecord, contents: String, in root: DataRoot,
                       journaled: Bool = false) throws -> InstanceRecord {
        let writer = try DurableObjectWriter(root: root, minFreeBytes: 0)
        try writer.append(Data(contents.utf8))
        let location = try ObjectLocation(studyUID: record.study.studyInstanceUID,
                                          seriesUID: record.series.seriesInstanceUID,
                                          sopInstanceUID: record.sopInstanceUID)
        let object = try writer.commit(to: location)
        if !journaled { writer.settle() }
        var record = record
        record.filePath = object.relativePath
        record.fileSize = object.size
        return record
    }

    /// A pid that certainly belongs to no running process: one that has just exited.
    static func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    /// What a crash of this process would leave: its files in `incoming/` renamed as a dead
    /// writer's. Returns their new names.
    @discardableResult
    static func crashWriters(in root: DataRoot) throws -> [String] {
        let incoming = root.incomingDirectory.path
        let dead = try deadProcessID()
        return try FileManager.default.contentsOfDirectory(atPath: incoming).map { name in
            let crashed = "\(dead).abcd1234.\(UUID().uuidString.lowercased()).part"
            try FileManager.default.moveItem(atPath: incoming + "/" + name, toPath: incoming + "/" + crashed)
            return crashed
        }
    }

    static func contents(of record: InstanceRecord, in root: DataRoot) -> String? {
        (try? Data(contentsOf: root.url(relativePath: record.filePath))).map { String(decoding: $0, as: UTF8.self) }
    }
}
