import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

/// What a C-MOVE or C-GET identifier selects, read from the index of `QueryFixtures`.
@Suite("Retrieve selection")
struct RetrieveSelectionTests {
    static func identifier(_ level: String, _ keys: [(DICOMCore.Tag, String)]) throws -> DataSet {
        var identifier = DataSet()
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: level)
        for (tag, value) in keys {
            try identifier.set(tag, vr: tag == .patientID ? .LO : .UI, string: value)
        }
        return identifier
    }

    static func instances(_ level: String, _ keys: [(DICOMCore.Tag, String)],
                          model: QueryInformationModel = .studyRoot) async throws -> [String] {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try await index.insert(QueryFixtures.studies.flatMap(QueryFixtures.records))
        let selection = try RetrieveSelection(identifier: try identifier(level, keys), model: model)
        return try await index.instances(selection).map(\.sopInstanceUID)
    }

    @Test func studyLevelSelectsEveryInstanceSeriesBySeries() async throws {
        let uids = try await Self.instances("STUDY", [(.studyInstanceUID, QueryFixtures.studyUID(1))])
        #expect(uids == [QueryFixtures.sopUID(1, 1, 1), QueryFixtures.sopUID(1, 1, 2), QueryFixtures.sopUID(1, 2, 1)])
    }

    @Test func aUIDListSelectsSeveralStudies() async throws {
        let uids = try await Self.instances("STUDY", [(.studyInstanceUID, "\(QueryFixtures.studyUID(2))\\\(QueryFixtures.studyUID(4))")])
        #expect(Set(uids) == Set((1...3).map { QueryFixtures.sopUID(2, 1, $0) } + [QueryFixtures.sopUID(4, 1, 1)]))
    }

    @Test func seriesAndImageLevelsSelectTheirOwn() async throws {
        let series = try await Self.instances("SERIES", [(.studyInstanceUID, QueryFixtures.studyUID(1)),
                                                         (.seriesInstanceUID, QueryFixtures.seriesUID(1, 2))])
        #expect(series == [QueryFixtures.sopUID(1, 2, 1)])
        let images = try await Self.instances("IMAGE", [(.sopInstanceUID, "\(QueryFixtures.sopUID(2, 1, 3))\\\(QueryFixtures.sopUID(1, 1, 1))")])
        #expect(images == [QueryFixtures.sopUID(1, 1, 1), QueryFixtures.sopUID(2, 1, 3)])
    }

    @Test func patientRootPatientLevelSelectsEveryStudyOfThePatient() async throws {
        let uids = try await Self.instances("PATIENT", [(.patientID, "PID1")], model: .patientRoot)
        #expect(uids.count == 6)
    }

    @Test func anUpperLevelKeyThatDoesNotContainTheSelectionSelectsNothing() async throws {
        let uids = try await Self.instances("SERIES", [(.studyInstanceUID, QueryFixtures.studyUID(2)),
                                                       (.seriesInstanceUID, QueryFixtures.seriesUID(1, 1))])
        #expect(uids.isEmpty)
    }

    @Test func unreadableIdentifiersAreRefusedWithTheirReason() throws {
        #expect(throws: QueryError.missingLevel) {
            try RetrieveSelection(identifier: DataSet(), model: .studyRoot)
        }
        #expect(throws: QueryError.levelNotInModel(.patient, .studyRoot)) {
            try RetrieveSelection(identifier: try Self.identifier("PATIENT", [(.patientID, "PID1")]), model: .studyRoot)
        }
        #expect(throws: QueryError.self) {  // no Study Instance UID at STUDY level
            try RetrieveSelection(identifier: try Self.identifier("STUDY", [(.patientID, "PID1")]), model: .studyRoot)
        }
        #expect(throws: QueryError.self) {  // a wildcard is no UID
            try RetrieveSelection(identifier: try Self.identifier("STUDY", [(.studyInstanceUID, "1.2.*")]), model: .studyRoot)
        }
    }

    @Test func commitmentCandidatesAreTheIndexedInstancesOnly() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try await index.insert(QueryFixtures.studies.flatMap(QueryFixtures.records))
        let candidates = try await index.commitmentCandidates([QueryFixtures.sopUID(1, 2, 1), "1.2.3.404"])
        #expect(candidates.keys.sorted() == [QueryFixtures.sopUID(1, 2, 1)])
        #expect(candidates[QueryFixtures.sopUID(1, 2, 1)]?.sopClassUID == QueryFixtures.basicTextSR)
        #expect(candidates[QueryFixtures.sopUID(1, 2, 1)]?.file?.filePath == "objects/fixture/1/2/1.dcm")
    }
}
