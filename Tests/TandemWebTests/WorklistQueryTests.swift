import Foundation
import Testing
@testable import TandemWeb

@Suite("worklist query parameters")
struct WorklistQueryTests {
    @Test("filters, sort and paging are read; values reach SQL only as arguments")
    func parameters() throws {
        let query = try WorklistQuery(parameters: [
            (key: "q", value: "o'brien%"), (key: "from", value: "20260101"), (key: "to", value: "20260131"),
            (key: "modality", value: "MR"), (key: "centre", value: "SITE1"), (key: "status", value: "unread,in-progress"),
            (key: "sort", value: "patientName"), (key: "order", value: "asc"), (key: "offset", value: "50"),
            (key: "limit", value: "25"),
        ])
        #expect(query.states == [.unread, .inProgress] && query.sort == .patientName && !query.descending)
        #expect(query.offset == 50 && query.limit == 25)
        let (sql, arguments) = query.filter(readingExpiry: Date())
        #expect(!sql.contains("brien") && !sql.contains("SITE1") && !sql.contains("2026"))
        #expect(arguments.description.contains("SITE1") && WorklistQuery.namePattern("O'Brien%_") == #"%o'brien\%\_%"#)
        #expect(query.orderBy == "ORDER BY p.patient_name ASC, s.id ASC")
    }

    @Test("defaults: newest arrivals first, 50 a page, no filter")
    func defaults() throws {
        let query = try WorklistQuery(parameters: [])
        #expect(query.orderBy == "ORDER BY s.first_received_at DESC, s.id DESC" && query.limit == 50)
        #expect(query.filter(readingExpiry: Date()).sql.isEmpty)
    }

    @Test("unknown, repeated or malformed parameters are refused", arguments: [
        [(key: "sort", value: "patient_name; DROP TABLE study")], [(key: "order", value: "up")],
        [(key: "limit", value: "0")], [(key: "limit", value: "501")], [(key: "offset", value: "-1")],
        [(key: "from", value: "2026-01-01")], [(key: "to", value: "2026010")], [(key: "status", value: "done")],
        [(key: "modality", value: "mr")], [(key: "modality", value: "M'R")], [(key: "centre", value: String(repeating: "A", count: 17))],
        [(key: "q", value: "a"), (key: "q", value: "b")], [(key: "bogus", value: "1")],
        [(key: "q", value: String(repeating: "x", count: 300))],
    ])
    func refused(_ parameters: [(key: String, value: String)]) {
        #expect(throws: WorklistQuery.Failure.self) { _ = try WorklistQuery(parameters: parameters) }
    }

    @Test("parameters the caller owns are ignored")
    func ignoring() throws {
        let query = try WorklistQuery(parameters: [(key: "study", value: "1.2.3"), (key: "refresh", value: "1")],
                                      ignoring: ["study", "refresh"])
        #expect(query == WorklistQuery())
    }
}
