import DICOMCore
import Foundation
@testable import TandemArchive

/// A small archive for query tests: seven studies of six patients, with names in Latin-1 and
/// CJK, GLOB and LIKE special characters, several series and SOP classes.
enum QueryFixtures {
    static let ctImage = "1.2.840.10008.5.1.4.1.1.2"
    static let mrImage = "1.2.840.10008.5.1.4.1.1.4"
    static let basicTextSR = "1.2.840.10008.5.1.4.1.1.88.11"

    static func studyUID(_ number: Int) -> String { "1.2.826.0.1.3680043.10.1.\(number)" }
    static func seriesUID(_ study: Int, _ series: Int) -> String { "\(studyUID(study)).\(series)" }
    static func sopUID(_ study: Int, _ series: Int, _ instance: Int) -> String {
        "\(seriesUID(study, series)).\(instance)"
    }

    struct Study {
        var number: Int
        var patientID: String
        var patientName: String
        var birthDate: String? = "19700101"
        var date: String?
        var time: String? = "101500"
        var accession: String?
        var referring: String? = "SMITH^J"
        /// Per series: modality, SOP class, instance count.
        var series: [(String, String, Int)]
    }

    static let studies: [Study] = [
        Study(number: 1, patientID: "PID1", patientName: "GARCIA^MARIA", date: "20240115", accession: "A1",
              series: [("CT", ctImage, 2), ("SR", basicTextSR, 1)]),
        Study(number: 2, patientID: "PID1", patientName: "GARCIA^MARIA", date: "20240301", time: "183000",
              accession: "A2", series: [("MR", mrImage, 3)]),
        Study(number: 3, patientID: "PID2", patientName: "GARCÍA^JOSÉ", birthDate: "19850612", date: "20231231",
              time: "0800", accession: "A3", referring: "smith^j", series: [("CT", ctImage, 1)]),
        Study(number: 4, patientID: "PID3", patientName: "Müller^Hans", date: "20240620", accession: "A4",
              series: [("MR", mrImage, 1)]),
        Study(number: 5, patientID: "PID4", patientName: "MÜLLER^ANNA", date: "20240101", time: nil,
              accession: "A5", referring: nil, series: [("CT", ctImage, 1)]),
        Study(number: 6, patientID: "PID_5%", patientName: "O'BRIEN%_[X]", date: nil, accession: nil,
              series: [("OT", ctImage, 1)]),
        Study(number: 7, patientID: "PID6", patientName: "山田^太郎", date: "20240115", time: "235959.123456",
              accession: "A7", series: [("CT", ctImage, 1)]),
    ]

    static func records(_ study: Study) -> [InstanceRecord] {
        study.series.enumerated().flatMap { seriesIndex, series in
            (1...series.2).map { instance in
                InstanceRecord(
                    patient: PatientAttributes(patientID: study.patientID, name: study.patientName,
                                               birthDate: study.birthDate, sex: "F"),
                    study: StudyAttributes(studyInstanceUID: studyUID(study.number), date: study.date, time: study.time,
                                           accessionNumber: study.accession, studyID: "ST\(study.number)",
                                           description: "STUDY \(study.number)", referringPhysician: study.referring),
                    series: SeriesAttributes(seriesInstanceUID: seriesUID(study.number, seriesIndex + 1),
                                             modality: series.0, number: seriesIndex + 1, description: "SERIES",
                                             bodyPart: "HEAD"),
                    sopInstanceUID: sopUID(study.number, seriesIndex + 1, instance), sopClassUID: series.1,
                    instanceNumber: instance, transferSyntaxUID: "1.2.840.10008.1.2.1",
                    filePath: "objects/fixture/\(study.number)/\(seriesIndex + 1)/\(instance).dcm", fileSize: 10)
            }
        }
    }

    /// Runs `body` with an index holding `studies`.
    static func withArchive<T>(_ body: (ArchiveIndex) throws -> T) throws -> T {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try index.insert(studies.flatMap(records))
        return try body(index)
    }

    /// The study numbers a query matched, in answer order.
    static func studyNumbers(_ page: QueryPage) -> [Int] {
        page.matches.compactMap { match in
            match.string(.studyInstanceUID).flatMap { Int($0.split(separator: ".")[8]) }
        }
    }
}

extension ArchiveIndex {
    /// Study-level Study Root matches of `keys`, as study numbers (tests).
    func studyNumbers(_ keys: [QueryKey], options: QueryOptions = QueryOptions()) throws -> [Int] {
        let request = try QueryRequest(model: .studyRoot, level: .study, keys: keys, options: options)
        return QueryFixtures.studyNumbers(try find(request, paging: QueryPaging(limit: 1000)))
    }
}
