import DICOMCore
import Foundation
import Testing

/// A small archive for C-FIND tests: five studies of four patients, names in ISO_IR 100 and
/// ISO_IR 192, stored into a running `dcmrecv` with storescu. UIDs are fixed so that queries
/// can name them. Every instance carries a Referenced Study Sequence (`referencedStudyUID`) and
/// a Request Attributes Sequence (RP*n*/SPS*n*; study 1 a second item, RP9/SPS9); study 3 a
/// Procedure Code Sequence whose meaning is not ASCII.
struct QueryArchiveFixture {
    struct Study {
        let number: Int
        let patientName: String
        let patientID: String
        let characterSet: String
        let date: String
        let time: String
        /// Modality of each series; each series holds `instancesPerSeries` instances.
        let series: [String]
        var instancesPerSeries = 2

        var studyUID: String { "1.2.826.0.1.3680043.10.1.\(number)" }
        func seriesUID(_ index: Int) -> String { "\(studyUID).\(index + 1)" }
        func instanceUID(series: Int, _ index: Int) -> String { "\(seriesUID(series)).\(index + 1)" }
        var instanceCount: Int { series.count * instancesPerSeries }
        var referencedStudyUID: String { "1.2.826.0.1.3680043.10.2.\(number)" }
    }

    static let procedureCode = (value: "CTKOPF", meaning: "Schädel nativ")

    static let studies = [
        Study(number: 1, patientName: "GARCIA^MARIA", patientID: "P1", characterSet: "ISO_IR 100",
              date: "20260110", time: "093000", series: ["CT", "MR"]),
        Study(number: 2, patientName: "GARCIA^JUAN", patientID: "P2", characterSet: "ISO_IR 192",
              date: "20260215", time: "141500", series: ["MR"]),
        Study(number: 3, patientName: "Müller^Jürgen", patientID: "P3", characterSet: "ISO_IR 100",
              date: "20251201", time: "080000", series: ["CT"]),
        Study(number: 4, patientName: "Şahin^Elif", patientID: "P4", characterSet: "ISO_IR 192",
              date: "20260301", time: "170000", series: ["CT"], instancesPerSeries: 3),
        Study(number: 5, patientName: "GARCIA^MARIA", patientID: "P1", characterSet: "ISO_IR 100",
              date: "20260120", time: "101500", series: ["CT"]),
    ]

    static func study(_ number: Int) -> Study { studies[number - 1] }

    static let sopClasses = ["CT": "1.2.840.10008.5.1.4.1.1.2", "MR": "1.2.840.10008.5.1.4.1.1.4"]

    /// Writes every instance (no pixel data) as a Part 10 file and sends them all with storescu.
    static func store(into receiver: RunningReceiver, callingAE: String = "FINDSCU") async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-query-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for study in studies {
            for (seriesIndex, modality) in study.series.enumerated() {
                for index in 0..<study.instancesPerSeries {
                    var dataSet = DataSet()
                    try dataSet.set(.specificCharacterSet, vr: .CS, string: study.characterSet)
                    try dataSet.set(.sopClassUID, vr: .UI, string: sopClasses[modality]!)
                    try dataSet.set(.sopInstanceUID, vr: .UI, string: study.instanceUID(series: seriesIndex, index))
                    try dataSet.set(.studyDate, vr: .DA, string: study.date)
                    try dataSet.set(.studyTime, vr: .TM, string: study.time)
                    try dataSet.set(.accessionNumber, vr: .SH, string: "ACC\(study.number)")
                    try dataSet.set(.modality, vr: .CS, string: modality)
                    try dataSet.set(.patientName, vr: .PN, string: study.patientName)
                    try dataSet.set(.patientID, vr: .LO, string: study.patientID)
                    try dataSet.set(.studyInstanceUID, vr: .UI, string: study.studyUID)
                    try dataSet.set(.seriesInstanceUID, vr: .UI, string: study.seriesUID(seriesIndex))
                    try dataSet.set(.studyID, vr: .SH, string: "S\(study.number)")
                    try dataSet.set(.seriesNumber, vr: .IS, int: seriesIndex + 1)
                    try dataSet.set(.instanceNumber, vr: .IS, int: index + 1)
                    try addSequences(to: &dataSet, study)
                    let file = try DICOMFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian)
                    let url = directory.appendingPathComponent("\(study.number)-\(seriesIndex)-\(index).dcm")
                    try Data(try file.encoded()).write(to: url)
                }
            }
        }
        let stored = try await ExternalTool.runOffPool("storescu", [
            "-aet", callingAE, "-aec", "TANDEM", "+sd", "127.0.0.1", "\(receiver.port)", directory.path])
        #expect(stored.status == 0, "\(stored.stderr)")
    }

    private static func addSequences(to dataSet: inout DataSet, _ study: Study) throws {
        func item(_ values: [(DICOMCore.Tag, VR, String)]) throws -> DataSet {
            var item = DataSet()
            item.inheritedCharacterSet = dataSet.specificCharacterSet
            for (tag, vr, value) in values { try item.set(tag, vr: vr, string: value) }
            return item
        }
        dataSet.set(.referencedStudySequence, items: [try item([
            (.referencedSOPClassUID, .UI, "1.2.840.10008.3.1.2.3.1"), (.referencedSOPInstanceUID, .UI, study.referencedStudyUID)])])
        let requests = study.number == 1 ? [1, 9] : [study.number]
        dataSet.set(.requestAttributesSequence, items: try requests.map { request in
            try item([(.requestedProcedureID, .SH, "RP\(request)"), (.scheduledProcedureStepID, .SH, "SPS\(request)")])
        })
        if study.number == 3 {
            dataSet.set(.procedureCodeSequence, items: [try item([
                (.codeValue, .SH, procedureCode.value), (.codingSchemeDesignator, .SH, "99TANDEM"),
                (.codeMeaning, .LO, procedureCode.meaning)])])
        }
    }
}

/// One findscu run: its final status as findscu names it, and each response identifier.
struct FindRun {
    let finalStatus: String
    let responses: [DataSet]
    let log: String

    /// Runs `/usr/bin/findscu` (`-P` or `-S`) with `-k` keys, or with a query file written from
    /// `identifier` (for values in a character set the command line cannot carry).
    static func run(_ model: String, _ keys: [String] = [], identifier: DataSet? = nil, port: Int,
                    callingAE: String = "FINDSCU", extra: [String] = []) async throws -> FindRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("findscu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = ["-v", model, "-aet", callingAE, "-aec", "TANDEM", "-X", "-od", directory.path]
            + keys.flatMap { ["-k", $0] } + extra + ["127.0.0.1", "\(port)"]
        if let identifier {
            let queryFile = directory.appendingPathComponent("query.dcm")
            try Data(DataSetWriter.encode(identifier, transferSyntax: .explicitVRLittleEndian)).write(to: queryFile)
            arguments.append(queryFile.path)
        }
        // findscu -v logs a line per response: to a file, which cannot fill up and block it as a pipe can.
        let logFile = directory.appendingPathComponent("findscu.log")
        _ = try await ExternalTool.runOffPool("sh", ["-c", "exec /usr/bin/findscu \"$@\" >\"$0\" 2>&1", logFile.path] + arguments)
        let log = String(decoding: try Data(contentsOf: logFile), as: UTF8.self)
        let finalStatus = log.split(separator: "\n").first { $0.contains("Received Final Find Response") }
            .map { line in String(line.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }) } ?? "none"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("rsp") }.sorted()
        let responses = try files.map { try DICOMFile(path: directory.appendingPathComponent($0).path).dataSet }
        return FindRun(finalStatus: finalStatus, responses: responses, log: log)
    }

    /// The values of `tag` over all responses, sorted.
    func values(_ tag: DICOMCore.Tag) -> [String] { responses.map { $0.string(tag) ?? "" }.sorted() }
}
