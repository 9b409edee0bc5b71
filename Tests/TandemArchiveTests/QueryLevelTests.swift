import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

/// Levels and information models (PS3.4 C.6), their keys, computed attributes and paging.
@Suite struct QueryLevelTests {
    @Test func patientLevelCountsTheStudiesSeriesAndInstancesOfEachPatient() throws {
        try QueryFixtures.withArchive { index throws in
            let request = try QueryRequest(model: .patientRoot, level: .patient, keys: [
                QueryKey(.patientName, "GARCIA*"), QueryKey(.numberOfPatientRelatedStudies),
                QueryKey(.numberOfPatientRelatedSeries), QueryKey(.numberOfPatientRelatedInstances),
            ])
            let matches = try index.find(request).matches
            #expect(matches.count == 1)
            #expect(matches.first?.string(.patientID) == "PID1")
            #expect(matches.first?.string(.numberOfPatientRelatedStudies) == "2")
            #expect(matches.first?.string(.numberOfPatientRelatedSeries) == "3")
            #expect(matches.first?.string(.numberOfPatientRelatedInstances) == "6")
            #expect(matches.first?[.numberOfPatientRelatedStudies]?.vr == .IS)
        }
    }

    @Test func studyLevelReturnsMaintainedCountsAndStudyComposition() throws {
        try QueryFixtures.withArchive { index throws in
            let request = try QueryRequest(model: .studyRoot, level: .study, keys: [
                QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1)), QueryKey(.numberOfStudyRelatedSeries),
                QueryKey(.numberOfStudyRelatedInstances), QueryKey(.modalitiesInStudy), QueryKey(.sopClassesInStudy),
                QueryKey(.studyID), QueryKey(.patientName), QueryKey(.studyTime),
            ])
            let study = try #require(try index.find(request).matches.first)
            #expect(study.string(.numberOfStudyRelatedSeries) == "2")
            #expect(study.string(.numberOfStudyRelatedInstances) == "3")
            #expect(study[.modalitiesInStudy] == QueryValue(vr: .CS, values: ["CT", "SR"]))
            #expect(study[.sopClassesInStudy]?.values == [QueryFixtures.ctImage, QueryFixtures.basicTextSR])
            #expect(study.string(.studyID) == "ST1")
            #expect(study.string(.patientName) == "GARCIA^MARIA")
            #expect(study.string(.studyTime) == "101500")
            // Return tags: the keys in request order; the unique key was among them.
            #expect(request.returnTags.first == .studyInstanceUID)
            #expect(Set(study.attributes.keys) == Set(request.returnTags))
        }
    }

    @Test func seriesAndImageLevelsMatchWithinTheirParents() throws {
        try QueryFixtures.withArchive { index throws in
            let series = try QueryRequest(model: .studyRoot, level: .series, keys: [
                QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1)), QueryKey(.modality),
                QueryKey(.seriesNumber), QueryKey(.numberOfSeriesRelatedInstances),
            ])
            let found = try index.find(series).matches
            #expect(found.map { $0.string(.seriesInstanceUID) } == [QueryFixtures.seriesUID(1, 1), QueryFixtures.seriesUID(1, 2)])
            #expect(found.map { $0.string(.modality) } == ["CT", "SR"])
            #expect(found.map { $0.string(.numberOfSeriesRelatedInstances) } == ["2", "1"])
            let second = try QueryRequest(model: .studyRoot, level: .series, keys: [
                QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1)), QueryKey(.seriesNumber, "2"),
            ])
            #expect(try index.find(second).matches.map { $0.string(.seriesInstanceUID) } == [QueryFixtures.seriesUID(1, 2)])

            let images = try QueryRequest(model: .patientRoot, level: .image, keys: [
                QueryKey(.patientID, "PID1"), QueryKey(.studyInstanceUID, QueryFixtures.studyUID(1)),
                QueryKey(.seriesInstanceUID, QueryFixtures.seriesUID(1, 1)), QueryKey(.sopClassUID),
                QueryKey(.instanceNumber), QueryKey(.availableTransferSyntaxUID),
            ])
            let instances = try index.find(images).matches
            #expect(instances.map { $0.string(.sopInstanceUID) } == [QueryFixtures.sopUID(1, 1, 1), QueryFixtures.sopUID(1, 1, 2)])
            #expect(instances.map { $0.string(.instanceNumber) } == ["1", "2"])
            #expect(instances.allSatisfy { $0.string(.sopClassUID) == QueryFixtures.ctImage })
            #expect(instances.first?.string(.availableTransferSyntaxUID) == "1.2.840.10008.1.2.1")
            #expect(instances.first?.level == .image)
        }
    }

    @Test func relationalSearchMatchesUpperLevelKeysHierarchicalNeedsTheirUniqueKeys() throws {
        try QueryFixtures.withArchive { index throws in
            let keys = [QueryKey(.patientID, "PID1"), QueryKey(.modality, "MR")]
            let relational = try QueryRequest(model: .studyRoot, level: .image, keys: keys)
            #expect(try index.find(relational).matches.count == 3)
            #expect(throws: QueryError.missingUpperLevelUniqueKey(.studyInstanceUID, level: .study)) {
                try QueryRequest(model: .studyRoot, level: .image, keys: keys, options: QueryOptions(relational: false))
            }
            #expect(throws: QueryError.missingUpperLevelUniqueKey(.patientID, level: .patient)) {
                try QueryRequest(model: .patientRoot, level: .study, keys: [QueryKey(.patientID, "PID*")],
                                 options: QueryOptions(relational: false))
            }
            let hierarchical = try QueryRequest(model: .patientRoot, level: .series, keys: [
                QueryKey(.patientID, "PID1"),
                QueryKey(.studyInstanceUID, "\(QueryFixtures.studyUID(1))\\\(QueryFixtures.studyUID(2))"),
            ], options: QueryOptions(relational: false))
            #expect(try index.find(hierarchical).matches.count == 3)
        }
    }

    @Test func levelsOutsideTheModelAndKeysBelowTheLevelAreRefused() throws {
        #expect(throws: QueryError.levelNotInModel(.patient, .studyRoot)) {
            try QueryRequest(model: .studyRoot, level: .patient, keys: [])
        }
        #expect(throws: QueryError.keyNotAllowed(.sopInstanceUID, level: .study)) {
            try QueryRequest(model: .studyRoot, level: .study, keys: [QueryKey(.sopInstanceUID)])
        }
        #expect(throws: QueryError.keyNotAllowed(.studyDate, level: .patient)) {
            try QueryRequest(model: .patientRoot, level: .patient, keys: [QueryKey(.studyDate, "20240101")])
        }
        var identifier = DataSet()
        #expect(throws: QueryError.missingLevel) { try QueryRequest(identifier: identifier, model: .studyRoot) }
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: "FRAME")
        #expect(throws: QueryError.unknownLevel("FRAME")) { try QueryRequest(identifier: identifier, model: .studyRoot) }
    }

    @Test func attributesTheIndexDoesNotKeepAreAnsweredEmpty() throws {
        try QueryFixtures.withArchive { index throws in
            var identifier = DataSet()
            try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
            try identifier.set(.patientID, vr: .LO, string: "PID3")
            try identifier.set(.retrieveAETitle, vr: .AE, string: "")
            try identifier.set(.patientWeight, vr: .DS, string: "70")
            identifier.set(.referencedStudySequence, items: [DataSet()])
            let request = try QueryRequest(identifier: identifier, model: .studyRoot)
            let match = try #require(try index.find(request).matches.first)
            #expect(match[.retrieveAETitle] == QueryValue(vr: .AE, values: []))
            #expect(match[.patientWeight] == QueryValue(vr: .DS, values: []))
            #expect(match[.referencedStudySequence] == QueryValue(vr: .SQ, values: []))
            #expect(match.string(.studyInstanceUID) == QueryFixtures.studyUID(4))
            #expect(!request.returnTags.contains(.queryRetrieveLevel))
        }
    }

    @Test func pagesFollowOneAnotherWithoutOverlap() throws {
        try QueryFixtures.withArchive { index throws in
            let request = try QueryRequest(model: .studyRoot, level: .study, keys: [])
            var seen: [Int] = []
            var offset = 0
            while true {
                let page = try index.find(request, paging: QueryPaging(limit: 3, offset: offset))
                seen += QueryFixtures.studyNumbers(page)
                offset += page.matches.count
                if !page.hasMore { break }
            }
            #expect(seen == [1, 2, 3, 4, 5, 6, 7])

            var keyset: [Int] = []
            var after: QueryPosition?
            repeat {
                let page = try index.find(request, paging: QueryPaging(limit: 2, after: after))
                keyset += QueryFixtures.studyNumbers(page)
                after = page.hasMore ? page.matches.last?.position : nil
            } while after != nil
            #expect(keyset == seen)
            #expect(try index.countMatches(request) == 7)
            let names = try QueryRequest(model: .studyRoot, level: .study, keys: [QueryKey(.patientName, "GARC*")])
            #expect(try index.countMatches(names) == 3)
        }
    }

    @Test func pagingOutOfBoundsIsRefused() throws {
        try QueryFixtures.withArchive { index throws in
            let request = try QueryRequest(model: .studyRoot, level: .study, keys: [])
            #expect(throws: QueryError.self) { try index.find(request, paging: QueryPaging(limit: 0)) }
            #expect(throws: QueryError.self) { try index.find(request, paging: QueryPaging(limit: 10_001)) }
            #expect(throws: QueryError.self) { try index.find(request, paging: QueryPaging(limit: 5, offset: -1)) }
        }
    }

    @Test func asyncFindAnswersLikeTheBlockingOne() async throws {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, environment: [:])
        _ = try await index.insert(QueryFixtures.studies.flatMap(QueryFixtures.records))
        let request = try QueryRequest(model: .studyRoot, level: .study, keys: [QueryKey(.patientName, "GARCIA*")])
        let suspending: QueryPage = try await index.find(request)
        #expect(QueryFixtures.studyNumbers(suspending) == [1, 2])
        #expect(suspending == (try blockingFind(request, in: index)))
    }

    private func blockingFind(_ request: QueryRequest, in index: ArchiveIndex) throws -> QueryPage {
        try index.find(request)
    }

    @Test func supportedAttributesFollowTheModel() {
        let studyRoot = QueryAttributes.keys(of: .study, in: .studyRoot)
        #expect(studyRoot.contains(.patientName) && studyRoot.contains(.studyDate))
        #expect(!QueryAttributes.keys(of: .study, in: .patientRoot).contains(.patientName))
        #expect(QueryAttributes.supported(at: .image, in: .patientRoot).contains(.patientName))
        #expect(!QueryAttributes.supported(at: .series, in: .studyRoot).contains(.sopInstanceUID))
        #expect(QueryAttributes.vr(of: .modalitiesInStudy) == .CS)
    }
}
