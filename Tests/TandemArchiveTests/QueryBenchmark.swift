import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

/// Query latency over a synthesized archive, printed rather than asserted (timings depend on the
/// machine). Run with `scripts/bench/query.sh` or
/// `TANDEM_QUERY_BENCH=1 swift test --filter QueryBenchmark`; `TANDEM_QUERY_BENCH_STUDIES` sets
/// the archive size (default 20,000 studies of 2 series × 2 instances).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TANDEM_QUERY_BENCH"] != nil))
struct QueryBenchmark {
    private static let studies = ProcessInfo.processInfo.environment["TANDEM_QUERY_BENCH_STUDIES"].flatMap(Int.init)
        ?? 20_000
    private static let surnames = ["GARCIA", "SMITH", "JOHNSON", "MÜLLER", "NGUYEN", "WANG", "KOWALSKI", "ROSSI",
                                   "DUBOIS", "SILVA", "IVANOV", "TANAKA", "OKAFOR", "HANSEN", "PATEL", "COHEN"]

    /// Study `n`: patient `n / 2` (two studies each), a date spread over ten years, two series.
    private static func records(study n: Int) -> [InstanceRecord] {
        let patient = n / 2
        let surname = surnames[patient % surnames.count]
        let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: (n * 7919) % 3650,
                                                         to: Date(timeIntervalSince1970: 1_420_070_400))!
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: day)
        let date = String(format: "%04d%02d%02d", components.year!, components.month!, components.day!)
        return (1...2).flatMap { (series: Int) in
            (1...2).map { (instance: Int) in
                InstanceRecord(
                    patient: PatientAttributes(patientID: "PID\(patient)", name: "\(surname)^PATIENT\(patient)",
                                               birthDate: "19600101", sex: "M"),
                    study: StudyAttributes(studyInstanceUID: "1.2.826.0.1.3680043.10.9.\(n)", date: date,
                                           time: "120000", accessionNumber: "ACC\(n)", studyID: "\(n)",
                                           description: "BENCH", referringPhysician: "REF^ERRING"),
                    series: SeriesAttributes(seriesInstanceUID: "1.2.826.0.1.3680043.10.9.\(n).\(series)",
                                             modality: series == 1 ? "CT" : "SR", number: series),
                    sopInstanceUID: "1.2.826.0.1.3680043.10.9.\(n).\(series).\(instance)",
                    sopClassUID: "1.2.840.10008.5.1.4.1.1.2", instanceNumber: instance,
                    transferSyntaxUID: "1.2.840.10008.1.2.1", filePath: "objects/bench/\(n)/\(series)/\(instance).dcm",
                    fileSize: 1)
            }
        }
    }

    private func milliseconds(_ runs: Int = 30, _ body: () throws -> Int) rethrows -> (median: Double, count: Int) {
        var times: [Double] = [], count = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            count = try body()
            times.append((ContinuousClock.now - start) / .milliseconds(1))
        }
        return (times.sorted()[runs / 2], count)
    }

    @Test func commonQueries() throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        let loadStart = ContinuousClock.now
        for first in stride(from: 0, to: Self.studies, by: 250) {
            _ = try index.insert((first..<min(first + 250, Self.studies)).flatMap(Self.records(study:)))
        }
        print("query bench: \(Self.studies) studies, \(Self.studies * 4) instances indexed in "
              + String(format: "%.1f s", (ContinuousClock.now - loadStart) / .seconds(1)))

        let cases: [(String, QueryLevel, [QueryKey], QueryOptions)] = [
            ("PatientName=GARCIA*", .study, [QueryKey(.patientName, "GARCIA*")], QueryOptions()),
            ("PatientName=garcia* (case-insensitive)", .study, [QueryKey(.patientName, "garcia*")],
             QueryOptions(caseInsensitiveNames: true)),
            ("StudyDate 30-day range", .study, [QueryKey(.studyDate, "20200301-20200330")], QueryOptions()),
            ("PatientID exact", .study, [QueryKey(.patientID, "PID4321")], QueryOptions()),
            ("AccessionNumber exact", .study, [QueryKey(.accessionNumber, "ACC777")], QueryOptions()),
            ("ModalitiesInStudy=CT, first 100", .study, [QueryKey(.modalitiesInStudy, "CT")], QueryOptions()),
            ("universal, first 100", .study, [], QueryOptions()),
            ("series of one study", .series, [QueryKey(.studyInstanceUID, "1.2.826.0.1.3680043.10.9.4321")],
             QueryOptions()),
        ]
        let returnKeys = [Tag.patientName, .patientID, .patientBirthDate, .patientSex, .studyDate, .studyTime,
                          .accessionNumber, .studyID, .studyDescription, .referringPhysicianName,
                          .modalitiesInStudy, .numberOfStudyRelatedSeries, .numberOfStudyRelatedInstances]
        for (label, level, keys, options) in cases {
            let extra = level == .study ? returnKeys.filter { tag in !keys.contains { $0.tag == tag } }.map { QueryKey($0) }
                                        : []
            let request = try QueryRequest(model: .studyRoot, level: level, keys: keys + extra, options: options)
            let paging = QueryPaging(limit: label.contains("first 100") ? 100 : 10_000)
            let (median, count) = try milliseconds { try index.find(request, paging: paging).matches.count }
            print("query bench: \(label): \(count) matches, median \(String(format: "%.2f", median)) ms")
            #expect(count > 0)
        }
    }
}
