import DICOMCore
import TandemArchive
import Testing
@testable import TandemWeb

@Suite("QIDO-RS query parameters")
struct QidoQueryTests {
    @Test("keywords and tags become keys; includefield, limit and offset are read; defaults are returned")
    func parameters() throws {
        let query = try QidoQuery(level: .study, fixed: [], parameters: [
            (key: "PatientName", value: "GARCIA*"), (key: "00100020", value: "ID1"),
            (key: "includefield", value: "StudyDescription,00080061"), (key: "limit", value: "5"),
            (key: "offset", value: "10"),
        ])
        #expect(query.keys.prefix(2) == [QueryKey(.patientName, "GARCIA*"), QueryKey(.patientID, "ID1")])
        #expect(query.keys.contains(QueryKey(.studyDescription)))
        #expect(query.keys.contains(QueryKey(.studyInstanceUID)))
        #expect(query.paging == QueryPaging(limit: 5, offset: 10))
        _ = try query.request(options: QueryOptions())
    }

    @Test("the path's UIDs are matched and their level's attributes not repeated")
    func nested() throws {
        let query = try QidoQuery(level: .series, fixed: [(.studyInstanceUID, "1.2.3")], parameters: [])
        #expect(query.keys.first == QueryKey(.studyInstanceUID, "1.2.3"))
        #expect(!query.keys.contains { $0.tag == .patientName })
        #expect(query.keys.contains(QueryKey(.modality)))
    }

    @Test("unknown, repeated, unsearchable or malformed parameters are refused", arguments: [
        [(key: "Bogus", value: "1")],
        [(key: "PatientName", value: "A"), (key: "PatientName", value: "B")],
        [(key: "PatientComments", value: "x")],
        [(key: "limit", value: "0")],
        [(key: "offset", value: "-1")],
        [(key: "fuzzymatching", value: "maybe")],
        [(key: "ReferencedSOPSequence.ReferencedSOPInstanceUID", value: "1")],
    ])
    func refused(_ parameters: [(key: String, value: String)]) {
        #expect(throws: QidoQuery.Failure.self) { _ = try QidoQuery(level: .study, fixed: [], parameters: parameters) }
    }

    @Test("a value over 4 KB and more than 256 parameters are refused")
    func oversized() {
        #expect(throws: QidoQuery.Failure.self) {
            _ = try QidoQuery(level: .study, fixed: [], parameters: [(key: "PatientName", value: String(repeating: "x", count: 5_000))])
        }
        #expect(throws: QidoQuery.Failure.self) {
            _ = try QidoQuery(level: .study, fixed: [], parameters: (0..<300).map { (key: "StudyDescription", value: "\($0)") })
        }
    }

    @Test("a limit above the maximum is lowered, and says so")
    func limitLowered() throws {
        let query = try QidoQuery(level: .study, fixed: [], parameters: [(key: "limit", value: "1000000")])
        #expect(query.paging.limit == QueryPaging.maximumLimit && query.limitLowered)
    }
}
