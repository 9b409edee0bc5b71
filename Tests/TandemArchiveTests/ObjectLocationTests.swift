import Testing
@testable import TandemArchive

@Suite struct ObjectLocationTests {
    @Test(arguments: ["1.2.840.10008.1.2", "1", "0.0", "1.2.03.4", String(repeating: "1", count: 64), "1.2.3\0"])
    func acceptsPathSafeUIDs(text: String) throws {
        let uid = try ValidatedUID(text)
        #expect(!uid.value.contains("\0"))
    }

    @Test(arguments: [
        ("", UIDError.empty),
        (String(repeating: "1", count: 65), .tooLong(65)),
        ("../etc", .invalidCharacter("../etc")),
        ("1.2/3", .invalidCharacter("1.2/3")),
        ("1.2.a", .invalidCharacter("1.2.a")),
        ("1.2 ", .invalidCharacter("1.2 ")),
        ("1..2", .emptyComponent("1..2")),
        (".1", .emptyComponent(".1")),
        ("1.", .emptyComponent("1.")),
        ("..", .emptyComponent("..")),
    ] as [(String, UIDError)])
    func rejectsUnsafeUIDs(text: String, expected: UIDError) {
        #expect(throws: expected) { try ValidatedUID(text) }
    }

    @Test func leadingZerosAreAcceptedButFlagged() throws {
        #expect(try ValidatedUID("1.2.840.0.5").isStrictlyConformant)
        #expect(try !ValidatedUID("1.2.840.05").isStrictlyConformant)
    }

    @Test func layoutGroupsByStudyAndSeriesUnderAFanOut() throws {
        let location = try ObjectLocation(studyUID: "1.2.840.113619.2.55.3", seriesUID: "1.2.3", sopInstanceUID: "1.2.3.4")
        #expect(location.relativePath() == "objects/a4/1.2.840.113619.2.55.3/1.2.3/1.2.3.4.dcm")
        #expect(location.relativePath(suffix: "9f") == "objects/a4/1.2.840.113619.2.55.3/1.2.3/1.2.3.4.9f.dcm")
    }

    @Test func fanOutIsFoldedFNV1a() {
        // FNV-1a("a") = 0xe40c292c (the published test vector); e4^0c^29^2c = ed.
        #expect(ObjectLocation.fanOut("a") == "ed")
    }

    @Test func anyBadUIDRejectsTheLocation() {
        #expect(throws: UIDError.self) {
            try ObjectLocation(studyUID: "1.2", seriesUID: "1.2/../../x", sopInstanceUID: "1.3")
        }
    }
}
