import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// The common queries must search an index, not scan a table: checked on SQLite's own plan.
@Suite struct QueryPlanTests {
    private func plan(_ request: QueryRequest, in index: ArchiveIndex) throws -> String {
        let statement = QuerySQL(request, paging: QueryPaging())
        return try index.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.selectSQL, arguments: statement.pagedArguments)
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    private func studyPlan(_ keys: [QueryKey], options: QueryOptions = QueryOptions(),
                           in index: ArchiveIndex) throws -> String {
        try plan(QueryRequest(model: .studyRoot, level: .study, keys: keys, options: options), in: index)
    }

    @Test func commonStudyQueriesSearchIndices() throws {
        try QueryFixtures.withArchive { index throws in
            let name = try studyPlan([QueryKey(.patientName, "GARCIA*"), QueryKey(.studyDate)], in: index)
            #expect(name.contains("SEARCH p USING INDEX patient_on_patient_name_folded"), "\(name)")
            #expect(name.contains("SEARCH s USING INDEX study_on_patient_ref"), "\(name)")
            let insensitive = try studyPlan([QueryKey(.patientName, "garcia*")],
                                            options: QueryOptions(caseInsensitiveNames: true), in: index)
            #expect(insensitive.contains("SEARCH p USING INDEX patient_on_patient_name_folded"), "\(insensitive)")
            let exactName = try studyPlan([QueryKey(.patientName, "GARCIA^MARIA")], in: index)
            #expect(exactName.contains("SEARCH p USING INDEX patient_on_patient_name_folded"), "\(exactName)")

            let date = try studyPlan([QueryKey(.studyDate, "20240101-20240131")], in: index)
            #expect(date.contains("SEARCH s USING INDEX study_on_study_date"), "\(date)")
            let patientID = try studyPlan([QueryKey(.patientID, "PID1")], in: index)
            #expect(patientID.contains("INDEX patient_identity (patient_id=?)"), "\(patientID)")
            let patientIDPrefix = try studyPlan([QueryKey(.patientID, "PID*")], in: index)
            #expect(patientIDPrefix.contains("INDEX patient_identity (patient_id>? AND patient_id<?)"), "\(patientIDPrefix)")
            let accession = try studyPlan([QueryKey(.accessionNumber, "A1")], in: index)
            #expect(accession.contains("SEARCH s USING INDEX study_on_accession_number"), "\(accession)")
            let list = try studyPlan([QueryKey(.studyInstanceUID, "1.2.3\\1.2.4")], in: index)
            #expect(list.contains("SEARCH s USING INDEX sqlite_autoindex_study_1 (study_uid=?)"), "\(list)")
            let modality = try studyPlan([QueryKey(.modalitiesInStudy, "MR")], in: index)
            #expect(modality.contains("USING INDEX series_on_modality"), "\(modality)")
            for plan in [name, date, patientID, patientIDPrefix, accession, list] {
                #expect(!plan.contains("SCAN s") && !plan.contains("SCAN p"), "\(plan)")
            }
        }
    }

    @Test func lowerLevelsSearchWithinTheirParent() throws {
        try QueryFixtures.withArchive { index throws in
            let series = try plan(QueryRequest(model: .studyRoot, level: .series, keys: [
                QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1))]), in: index)
            #expect(series.contains("SEARCH s USING INDEX sqlite_autoindex_study_1 (study_uid=?)"), "\(series)")
            #expect(series.contains("SEARCH se USING INDEX series_on_study_ref (study_ref=?)"), "\(series)")
            let images = try plan(QueryRequest(model: .studyRoot, level: .image, keys: [
                QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1)),
                QueryKey(.seriesInstanceUID, QueryFixtures.seriesUID(1, 1))]), in: index)
            #expect(images.contains("SEARCH i USING INDEX instance_on_series_ref (series_ref=?)"), "\(images)")
            #expect(!images.contains("SCAN i"), "\(images)")
        }
    }
}
