import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

/// Queries built to hurt: each gets a typed error or a bounded answer, never a crash.
@Suite struct QueryHostileInputTests {
    private func studyRequest(_ keys: [QueryKey]) throws(QueryError) -> QueryRequest {
        try QueryRequest(model: .studyRoot, level: .study, keys: keys)
    }

    @Test func tenThousandUIDsInAListAreOneBoundParameter() throws {
        try QueryFixtures.withArchive { index throws in
            let uids = (1...9_998).map { "1.2.3.\($0)" } + [QueryFixtures.studyUID(2), QueryFixtures.studyUID(5)]
            let request = try studyRequest([QueryKey(.studyInstanceUID, uids.joined(separator: "\\"))])
            #expect(QueryFixtures.studyNumbers(try index.find(request)) == [2, 5])
        }
    }

    @Test func aListBeyondTheMaximumIsRefused() {
        let uids = Array(repeating: "1.2.3", count: MatchingRule.maximumUIDListCount + 1).joined(separator: "\\")
        #expect(throws: QueryError.tooManyValues(.studyInstanceUID, count: MatchingRule.maximumUIDListCount + 1,
                                                 maximum: MatchingRule.maximumUIDListCount)) {
            try studyRequest([QueryKey(.studyInstanceUID, uids)])
        }
    }

    @Test func valuesLongerThanTheirVRAllowsAreRefused() {
        let long = String(repeating: "A", count: 64 * 1024)
        for tag in [Tag.patientName, .patientID, .accessionNumber, .studyDate, .studyInstanceUID, .modalitiesInStudy] {
            #expect(throws: QueryError.self) { try studyRequest([QueryKey(tag, long)]) }
        }
        #expect(throws: QueryError.valueTooLong(.patientID, length: 65, maximum: 64)) {
            try studyRequest([QueryKey(.patientID, String(repeating: "1", count: 65))])
        }
    }

    @Test(arguments: ["2024-01-01", "20240101-20240131-20240201", "-", "2024013x", "20241301", "20240132",
                      "*", "2024*", "20240101\\20240102"])
    func malformedDatesAndRangesAreRefused(value: String) {
        #expect(throws: QueryError.self) { try studyRequest([QueryKey(.studyDate, value)]) }
    }

    @Test(arguments: ["25", "1260", "101561", "1015.5", "101500.1234567", "10:15", "09-10-11"])
    func malformedTimesAreRefused(value: String) {
        #expect(throws: QueryError.self) { try studyRequest([QueryKey(.studyTime, value)]) }
    }

    @Test func wildcardsAndListsWhereTheVRHasNoneAreRefused() {
        #expect(throws: QueryError.self) { try studyRequest([QueryKey(.studyInstanceUID, "1.2.*")]) }
        #expect(throws: QueryError.self) { try studyRequest([QueryKey(.studyInstanceUID, "1.2.3\\\\1.2.4")]) }
        #expect(throws: QueryError.self) { try studyRequest([QueryKey(.patientName, "A\\B")]) }
        #expect(throws: QueryError.self) {
            try QueryRequest(model: .studyRoot, level: .series, keys: [QueryKey(.seriesNumber, "1*")])
        }
    }

    @Test func unknownAndPrivateAttributesAreRefused() {
        #expect(throws: QueryError.unknownAttribute(Tag(0x0009, 0x1001))) {
            try studyRequest([QueryKey(Tag(0x0009, 0x1001), "X")])
        }
        #expect(throws: QueryError.unknownAttribute(Tag(0x0000, 0x0100))) {
            try studyRequest([QueryKey(Tag(0x0000, 0x0100))])
        }
        #expect(throws: QueryError.unknownAttribute(Tag(0x0010, 0x9999))) {
            try studyRequest([QueryKey(Tag(0x0010, 0x9999))])
        }
    }

    @Test func elementsWithTheWrongVRAreRefused() throws {
        var identifier = DataSet()
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        try identifier.set(.patientName, vr: .DA, string: "20240101")
        #expect(throws: QueryError.wrongVR(.patientName, expected: .PN, found: .DA)) {
            try QueryRequest(identifier: identifier, model: .studyRoot)
        }
        var unknownVR = DataSet()
        try unknownVR.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        unknownVR.insert(DataElement(tag: .patientID, vr: .UN, value: .bytes(Array("PID1".utf8))))
        #expect(throws: Never.self) { try QueryRequest(identifier: unknownVR, model: .studyRoot) }
    }

    @Test func errorsNameTheirOffendingElement() {
        #expect(QueryError.unknownLevel("X").offendingElement == .queryRetrieveLevel)
        #expect(QueryError.malformedValue(.studyDate, "bad").offendingElement == .studyDate)
        #expect(QueryError.invalidPaging("x").offendingElement == nil)
        #expect(QueryError.wrongVR(.patientName, expected: .PN, found: .DA).description.contains("PatientName"))
    }

    @Test func aSequenceKeyHoldsOneItem() throws {
        var identifier = DataSet()
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        var item = DataSet()
        try item.set(Tag(0x0008, 0x0100), vr: .SH, string: "")  // Code Value
        identifier.set(Tag(0x0008, 0x1032), items: [item])  // Procedure Code Sequence
        let request = try QueryRequest(identifier: identifier, model: .studyRoot)
        #expect(request.returnTags.contains(Tag(0x0008, 0x1032)))
        #expect(request.unsupportedMatchingKeys.isEmpty)

        identifier.set(Tag(0x0008, 0x1032), items: [item, item])
        #expect(throws: QueryError.malformedValue(Tag(0x0008, 0x1032), "a sequence key holds a single item (PS3.4 C.2.2.2.6)")) {
            try QueryRequest(identifier: identifier, model: .studyRoot)
        }
    }

    @Test func valuesTheIndexCannotMatchAreNamed() throws {
        var identifier = DataSet()
        try identifier.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
        try identifier.set(Tag(0x0010, 0x4000), vr: .LT, string: "comment")  // Patient Comments: not indexed
        try identifier.set(.numberOfStudyRelatedInstances, vr: .IS, string: "3")  // computed: returned only
        try identifier.set(.studyDescription, vr: .LO, string: "")  // a return key asks for no matching
        var item = DataSet()
        try item.set(.referencedSOPInstanceUID, vr: .UI, string: "1.2.3")
        identifier.set(.referencedImageSequence, items: [item])  // a sequence the index does not keep
        let request = try QueryRequest(identifier: identifier, model: .studyRoot)
        #expect(Set(request.unsupportedMatchingKeys)
            == [Tag(0x0010, 0x4000), .numberOfStudyRelatedInstances, .referencedImageSequence])
    }
}
