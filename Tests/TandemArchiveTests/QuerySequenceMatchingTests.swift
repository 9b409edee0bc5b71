import DICOMCore
import Foundation
import GRDB
import Testing
@testable import TandemArchive

/// Sequence Matching (PS3.4 C.2.2.2.6) over the sequences the index keeps: an item's values
/// must all match within one item of the entity's sequence; return keys are filled from the index.
@Suite struct QuerySequenceMatchingTests {
    static let ctImage = "1.2.840.10008.5.1.4.1.1.2"
    static let referencedStudy = "1.2.826.0.1.3680043.10.9.77"

    /// Three single-instance studies: 1 with a Referenced Study Sequence and two request items
    /// (RP1/SPS1 and RP2/SPS2), 2 with a procedure code and one request item (RP1/SPS2), 3 without sequences.
    static func records() -> [InstanceRecord] {
        func record(_ number: Int, sequences: [SequenceAttributes]) -> InstanceRecord {
            var record = InstanceRecord(
                patient: PatientAttributes(patientID: "SEQ\(number)", name: "SEQUENCE^\(number)"),
                study: StudyAttributes(studyInstanceUID: "1.2.826.0.1.3680043.10.9.\(number)"),
                series: SeriesAttributes(seriesInstanceUID: "1.2.826.0.1.3680043.10.9.\(number).1", modality: "CT"),
                sopInstanceUID: "1.2.826.0.1.3680043.10.9.\(number).1.1", sopClassUID: ctImage,
                transferSyntaxUID: "1.2.840.10008.1.2.1", filePath: "objects/sequence/\(number).dcm", fileSize: 10)
            record.sequences = sequences
            return record
        }
        func request(_ procedure: String, _ step: String) -> [DICOMCore.Tag: String] {
            [.requestedProcedureID: procedure, .scheduledProcedureStepID: step, .accessionNumber: "ACC-\(procedure)"]
        }
        return [
            record(1, sequences: [
                SequenceAttributes(tag: .referencedStudySequence, items: [[
                    .referencedSOPClassUID: "1.2.840.10008.3.1.2.3.1", .referencedSOPInstanceUID: referencedStudy]]),
                SequenceAttributes(tag: .requestAttributesSequence, items: [request("RP1", "SPS1"), request("RP2", "SPS2")]),
            ]),
            record(2, sequences: [
                SequenceAttributes(tag: .procedureCodeSequence, items: [[
                    .codeValue: "CTHEAD", .codingSchemeDesignator: "99LOCAL", .codeMeaning: "CT Kopf ohne KM"]]),
                SequenceAttributes(tag: .requestAttributesSequence, items: [request("RP1", "SPS2")]),
            ]),
            record(3, sequences: []),
        ]
    }

    static func withArchive<T>(policy: DuplicatePolicy = .keepFirst, _ body: (ArchiveIndex) throws -> T) throws -> T {
        let temporary = try TemporaryRoot()
        defer { temporary.remove() }
        let index = try ArchiveIndex(root: temporary.root, storage: StorageSettings(duplicatePolicy: policy),
                                     environment: [:])
        _ = try index.insert(records())
        return try body(index)
    }

    /// An identifier at `level` with one sequence key whose single item holds `item` (no item when nil).
    static func identifier(_ level: QueryLevel, _ sequence: DICOMCore.Tag, _ item: [(DICOMCore.Tag, VR, String)]?,
                           extra: [(DICOMCore.Tag, VR, String)] = []) throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(.queryRetrieveLevel, vr: .CS, string: level.rawValue)
        try dataSet.set(.studyInstanceUID, vr: .UI, string: "")
        for (tag, vr, value) in extra { try dataSet.set(tag, vr: vr, string: value) }
        var items: [DataSet] = []
        if let item {
            var itemDataSet = DataSet()
            for (tag, vr, value) in item { try itemDataSet.set(tag, vr: vr, string: value) }
            items.append(itemDataSet)
        }
        dataSet.set(sequence, items: items)
        return dataSet
    }

    static func find(_ identifier: DataSet, in index: ArchiveIndex,
                     options: QueryOptions = QueryOptions()) throws -> [QueryMatch] {
        try index.find(QueryRequest(identifier: identifier, model: .studyRoot, options: options),
                       paging: QueryPaging(limit: 100)).matches
    }

    static func studyNumbers(_ matches: [QueryMatch]) -> [Int] {
        matches.compactMap { $0.string(.studyInstanceUID).flatMap { Int($0.split(separator: ".").last ?? "") } }
    }

    @Test func anItemValueMatchesTheStudiesHoldingItAndFillsTheReturnKeys() throws {
        try Self.withArchive { index throws in
            let matches = try Self.find(Self.identifier(.study, .referencedStudySequence, [
                (.referencedSOPClassUID, .UI, ""), (.referencedSOPInstanceUID, .UI, Self.referencedStudy)]), in: index)
            #expect(Self.studyNumbers(matches) == [1])
            let items = try #require(matches.first?[.referencedStudySequence]?.items)
            #expect(items == [[.referencedSOPClassUID: QueryValue(vr: .UI, values: ["1.2.840.10008.3.1.2.3.1"]),
                               .referencedSOPInstanceUID: QueryValue(vr: .UI, values: [Self.referencedStudy])]])

            let none = try Self.find(Self.identifier(.study, .referencedStudySequence, [
                (.referencedSOPInstanceUID, .UI, "1.2.3.4")]), in: index)
            #expect(none.isEmpty)
        }
    }

    @Test func everyValueOfTheItemMustMatchWithinOneItem() throws {
        try Self.withArchive { index throws in
            func series(_ procedure: String, _ step: String) throws -> [Int] {
                Self.studyNumbers(try Self.find(Self.identifier(.series, .requestAttributesSequence, [
                    (.requestedProcedureID, .SH, procedure), (.scheduledProcedureStepID, .SH, step)]), in: index))
            }
            // Study 1 holds RP1 and SPS2, but in different items.
            #expect(try series("RP1", "SPS2") == [2])
            #expect(try series("RP2", "SPS2") == [1])
            #expect(try series("RP1", "") == [1, 2])
            #expect(try series("RP?", "SPS1") == [1])
            #expect(try series("RP3", "") == [])
        }
    }

    @Test func onlyTheMatchingItemsAreAnswered() throws {
        try Self.withArchive { index throws in
            let matches = try Self.find(Self.identifier(.series, .requestAttributesSequence, [
                (.accessionNumber, .SH, ""), (.requestedProcedureID, .SH, "RP2")]), in: index)
            #expect(matches.first?[.requestAttributesSequence]?.items == [[
                .accessionNumber: QueryValue(vr: .SH, values: ["ACC-RP2"]),
                .requestedProcedureID: QueryValue(vr: .SH, values: ["RP2"])]])
        }
    }

    @Test func universalItemsMatchEverythingAndReturnEveryItem() throws {
        try Self.withArchive { index throws in
            let returned = try Self.find(Self.identifier(.series, .requestAttributesSequence, [
                (.scheduledProcedureStepID, .SH, "")]), in: index)
            #expect(Self.studyNumbers(returned) == [1, 2, 3])
            #expect(returned.map { $0[.requestAttributesSequence]?.items.count } == [2, 1, 0])
            // A sequence asked without an item answers every attribute the index keeps of it.
            let whole = try Self.find(Self.identifier(.study, .procedureCodeSequence, nil), in: index)
            #expect(whole[1][.procedureCodeSequence]?.items == [[
                .codeValue: QueryValue(vr: .SH, values: ["CTHEAD"]),
                .codingSchemeDesignator: QueryValue(vr: .SH, values: ["99LOCAL"]),
                .codeMeaning: QueryValue(vr: .LO, values: ["CT Kopf ohne KM"])]])
        }
    }

    @Test func wildcardsAndCaseInsensitivityApplyInsideItems() throws {
        try Self.withArchive { index throws in
            let code = try Self.find(Self.identifier(.study, .procedureCodeSequence, [(.codeValue, .SH, "CT*")]),
                                     in: index)
            #expect(Self.studyNumbers(code) == [2])
            let lowercase = try Self.find(Self.identifier(.study, .procedureCodeSequence, [(.codeValue, .SH, "ct*")]),
                                          in: index)
            #expect(lowercase.isEmpty)
        }
    }

    @Test func keysAreValidatedLikeTopLevelKeys() throws {
        try Self.withArchive { index throws in
            // Request Attributes Sequence belongs to the series: not a STUDY-level key.
            #expect(throws: QueryError.keyNotAllowed(.requestAttributesSequence, level: .study)) {
                try Self.find(Self.identifier(.study, .requestAttributesSequence, [(.requestedProcedureID, .SH, "RP1")]),
                              in: index)
            }
            #expect(throws: QueryError.self) {
                try Self.find(Self.identifier(.study, .referencedStudySequence, [
                    (.referencedSOPInstanceUID, .UI, "not a uid")]), in: index)
            }
            #expect(throws: QueryError.wrongVR(.codeValue, expected: .SH, found: .DA)) {
                try Self.find(Self.identifier(.study, .procedureCodeSequence, [(.codeValue, .DA, "20240101")]), in: index)
            }
        }
    }

    @Test func aNestedSequenceWithValuesIsUnsupportedAndMatchesEverything() throws {
        var nested = DataSet()
        try nested.set(.codeValue, vr: .SH, string: "X")
        var item = DataSet()
        try item.set(.requestedProcedureID, vr: .SH, string: "")
        item.set(.scheduledProtocolCodeSequence, items: [nested])
        var identifier = try Self.identifier(.series, .requestAttributesSequence, nil)
        identifier.set(.requestAttributesSequence, items: [item])
        let request = try QueryRequest(identifier: identifier, model: .studyRoot)
        #expect(request.unsupportedMatchingKeys == [.requestAttributesSequence])
        try Self.withArchive { index throws in
            #expect(Self.studyNumbers(try index.find(request).matches) == [1, 2, 3])
        }
    }

    @Test func removedEntitiesTakeTheirSequencesAlong() throws {
        try Self.withArchive(policy: .overwrite) { index throws in
            var replacement = Self.records()[0]
            replacement.filePath = "objects/sequence/replacement.dcm"
            replacement.sequences = [SequenceAttributes(tag: .referencedStudySequence, items: [[
                .referencedSOPInstanceUID: "1.2.826.0.1.3680043.10.9.78"]])]
            #expect(try index.insert([replacement]) == [.overwritten])
            let old = try Self.find(Self.identifier(.study, .referencedStudySequence, [
                (.referencedSOPInstanceUID, .UI, Self.referencedStudy)]), in: index)
            #expect(old.isEmpty)
            let new = try Self.find(Self.identifier(.study, .referencedStudySequence, [
                (.referencedSOPInstanceUID, .UI, "1.2.826.0.1.3680043.10.9.78")]), in: index)
            #expect(Self.studyNumbers(new) == [1])
            // Study 1's old request items went with its series: 1 row for the new reference, 6 of study 2.
            #expect(try index.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sequence_attribute") } == 7)
        }
    }

    @Test func sequenceMatchingSearchesTheValueIndex() throws {
        try Self.withArchive { index throws in
            let request = try QueryRequest(identifier: Self.identifier(.study, .referencedStudySequence, [
                (.referencedSOPInstanceUID, .UI, Self.referencedStudy)]), model: .studyRoot)
            let statement = QuerySQL(request, paging: QueryPaging())
            let plan = try index.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.selectSQL, arguments: statement.pagedArguments)
                    .map { $0["detail"] as String }.joined(separator: "\n")
            }
            #expect(plan.contains("USING COVERING INDEX sequence_attribute_on_value (sequence_tag=? AND tag=? AND value=?)"),
                    "\(plan)")
        }
    }

    @Test func ingestKeepsTheItemsTextDecoded() throws {
        var dataSet = DataSet()
        try dataSet.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 100")
        var code = DataSet()
        code.inheritedCharacterSet = dataSet.specificCharacterSet
        try code.set(.codeValue, vr: .SH, string: "CTHEAD")
        try code.set(.codeMeaning, vr: .LO, string: "Schädel")
        try code.set(.codingSchemeVersion, vr: .SH, string: "")
        try code.set(DICOMCore.Tag(0x0009, 0x1010), vr: .LO, string: "private")
        dataSet.set(.procedureCodeSequence, items: [code])
        dataSet.set(.referencedImageSequence, items: [code])
        let sequences = SequenceIndex.sequences(of: dataSet)
        // Neither empty values nor private attributes are kept, nor sequences the index does not match on.
        #expect(sequences == [SequenceAttributes(tag: .procedureCodeSequence, items: [[
            .codeValue: "CTHEAD", .codeMeaning: "Schädel"]])])
    }
}
