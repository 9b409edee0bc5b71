import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

/// PS3.4 C.2.2.2 matching, each kind against a real index (Study Root, STUDY level).
@Suite struct QueryMatchingTests {
    @Test func universalMatchingReturnsEveryStudyInInsertionOrder() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([]) == [1, 2, 3, 4, 5, 6, 7])
            #expect(try index.studyNumbers([QueryKey(.patientName, "")]) == [1, 2, 3, 4, 5, 6, 7])
            #expect(try index.studyNumbers([QueryKey(.patientName, "*")]) == [1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test func singleValueMatchingIsExactAndCaseSensitive() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientID, "PID1")]) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.patientID, "pid1")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientName, "GARCIA^MARIA")]) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.patientName, "garcia^maria")]) == [])
            #expect(try index.studyNumbers([QueryKey(.accessionNumber, "A3")]) == [3])
            #expect(try index.studyNumbers([QueryKey(.studyID, "ST4")]) == [4])
            #expect(try index.studyNumbers([QueryKey(.referringPhysicianName, "SMITH^J")]) == [1, 2, 4, 6, 7])
        }
    }

    @Test func wildcardsMatchAnyRunAndOneCharacter() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientName, "GARCIA*")]) == [1, 2])
            // `?` is one character, also a non-ASCII one.
            #expect(try index.studyNumbers([QueryKey(.patientName, "GARC?A*")]) == [1, 2, 3])
            #expect(try index.studyNumbers([QueryKey(.patientName, "*^MARIA")]) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.patientName, "G*A^?A*")]) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.accessionNumber, "A?")]) == [1, 2, 3, 4, 5, 7])
            #expect(try index.studyNumbers([QueryKey(.studyDescription, "*1")]) == [1])
        }
    }

    @Test func sqlAndGlobSpecialCharactersAreLiteral() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientName, "O'BRIEN%_[X]")]) == [6])
            #expect(try index.studyNumbers([QueryKey(.patientName, "O'BRIEN%*")]) == [6])
            #expect(try index.studyNumbers([QueryKey(.patientName, "*[X]")]) == [6])
            #expect(try index.studyNumbers([QueryKey(.patientName, "*[X")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientName, "%")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientName, "_*")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientID, "PID_*")]) == [6])
            #expect(try index.studyNumbers([QueryKey(.patientID, "PID%")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientName, "'; DROP TABLE study; --")]) == [])
            #expect(try index.counts().studies == 7)
        }
    }

    @Test func nonASCIINamesMatchAsUnicode() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientName, "GARCÍA^JOSÉ")]) == [3])
            #expect(try index.studyNumbers([QueryKey(.patientName, "Mü*")]) == [4])
            #expect(try index.studyNumbers([QueryKey(.patientName, "MÜ*")]) == [5])
            #expect(try index.studyNumbers([QueryKey(.patientName, "山田*")]) == [7])
            #expect(try index.studyNumbers([QueryKey(.patientName, "山田^??")]) == [7])
        }
    }

    @Test func caseInsensitiveOptionFoldsCaseAndComposition() throws {
        let insensitive = QueryOptions(caseInsensitiveNames: true)
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientName, "garcia*")], options: insensitive) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.patientName, "garcia^maria")], options: insensitive) == [1, 2])
            #expect(try index.studyNumbers([QueryKey(.patientName, "müller*")], options: insensitive) == [4, 5])
            #expect(try index.studyNumbers([QueryKey(.patientName, "MÜLLER^HANS")], options: insensitive) == [4])
            // A decomposed ü (u + U+0308) finds the precomposed one.
            #expect(try index.studyNumbers([QueryKey(.patientName, "mu\u{308}ller*")], options: insensitive) == [4, 5])
            #expect(try index.studyNumbers([QueryKey(.patientName, "*josé")], options: insensitive) == [3])
            // PN columns without a folded copy fold in SQL.
            #expect(try index.studyNumbers([QueryKey(.referringPhysicianName, "Smith^J")], options: insensitive)
                        == [1, 2, 3, 4, 6, 7])
            #expect(try index.studyNumbers([QueryKey(.referringPhysicianName, "s*")], options: insensitive)
                        == [1, 2, 3, 4, 6, 7])
            // Other VRs stay case-sensitive.
            #expect(try index.studyNumbers([QueryKey(.patientID, "pid1")], options: insensitive) == [])
        }
    }

    @Test func dateRangesIncludeTheirBoundsAndMayBeOpen() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240115")]) == [1, 7])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240101-20240131")]) == [1, 5, 7])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240115-20240115")]) == [1, 7])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "-20231231")]) == [3])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240301-")]) == [2, 4])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240201-20240101")]) == [])
            #expect(try index.studyNumbers([QueryKey(.patientBirthDate, "19800101-19991231")]) == [3])
        }
    }

    @Test func timeRangesCoverTheirPrecision() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.studyTime, "1015")]) == [1, 4, 6])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "10")]) == [1, 4, 6])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "0900-1015")]) == [1, 4, 6])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "1016-")]) == [2, 7])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "-0800")]) == [3])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "235959.123456")]) == [7])
            #expect(try index.studyNumbers([QueryKey(.studyTime, "235959")]) == [7])
        }
    }

    @Test func uidListsMatchAnyOfTheirUIDs() throws {
        try QueryFixtures.withArchive { index throws in
            let list = [1, 3, 99].map(QueryFixtures.studyUID).joined(separator: "\\")
            #expect(try index.studyNumbers([QueryKey(.studyInstanceUID, list)]) == [1, 3])
            #expect(try index.studyNumbers([QueryKey(.studyInstanceUID, QueryFixtures.studyUID(4))]) == [4])
        }
    }

    @Test func modalitiesInStudyMatchesAnySeries() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.modalitiesInStudy, "MR")]) == [2, 4])
            #expect(try index.studyNumbers([QueryKey(.modalitiesInStudy, "S*")]) == [1])
            #expect(try index.studyNumbers([QueryKey(.modalitiesInStudy, "CT"), QueryKey(.patientID, "PID1")]) == [1])
            #expect(try index.studyNumbers([QueryKey(.modalitiesInStudy, "SR\\OT")]) == [1, 6])
            #expect(throws: QueryError.self) { try index.studyNumbers([QueryKey(.modalitiesInStudy, "SR\\O*")]) }
            #expect(throws: QueryError.self) { try index.studyNumbers([QueryKey(.modalitiesInStudy, "SR\\")]) }
        }
    }

    @Test func keysCombineWithAnd() throws {
        try QueryFixtures.withArchive { index throws in
            #expect(try index.studyNumbers([QueryKey(.patientName, "GARCIA*"), QueryKey(.studyDate, "20240201-")]) == [2])
            #expect(try index.studyNumbers([QueryKey(.studyDate, "20240115"), QueryKey(.patientName, "山*")]) == [7])
        }
    }

    @Test func identifierTextIsDecodedWithItsSpecificCharacterSet() throws {
        try QueryFixtures.withArchive { index throws in
            // ISO_IR 100: Ü is the single byte DCH.
            var latin1 = DataSet()
            try latin1.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 100")
            try latin1.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
            latin1.insert(DataElement(tag: .patientName, vr: .PN, value: .bytes(Array("M".utf8) + [0xDC] + Array("*".utf8))))
            try latin1.set(.studyInstanceUID, vr: .UI, string: "")
            let request = try QueryRequest(identifier: latin1, model: .studyRoot)
            #expect(QueryFixtures.studyNumbers(try index.find(request)) == [5])

            var utf8 = DataSet()
            try utf8.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 192")
            try utf8.set(.queryRetrieveLevel, vr: .CS, string: "STUDY")
            try utf8.set(.patientName, vr: .PN, string: "山田^太郎")
            let found = try index.find(try QueryRequest(identifier: utf8, model: .studyRoot))
            #expect(QueryFixtures.studyNumbers(found) == [7])
            #expect(found.matches.first?.string(.patientName) == "山田^太郎")
        }
    }
}
