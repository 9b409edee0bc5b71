import Testing
@testable import DICOMCore

@Suite struct DictionaryUIDTests {
    @Test func ctImageStorage() throws {
        let entry = try #require(UIDDictionary.entry(for: "1.2.840.10008.5.1.4.1.1.2"))
        #expect(entry.keyword == "CTImageStorage" && entry.name == "CT Image Storage")
        #expect(entry.type == .sopClass && !entry.isRetired)
        #expect(UIDDictionary.uid(forKeyword: "CTImageStorage") == "1.2.840.10008.5.1.4.1.1.2")
    }

    @Test func transferSyntax() throws {
        let entry = try #require(UIDDictionary.entry(for: "1.2.840.10008.1.2.1"))
        #expect(entry.keyword == "ExplicitVRLittleEndian" && entry.type == .transferSyntax && !entry.isRetired)
    }

    @Test func paddedUIDFromADataSet() {
        #expect(UIDDictionary.entry(for: "1.2.840.10008.1.2\0")?.keyword == "ImplicitVRLittleEndian")
    }

    @Test func retiredUID() throws {
        let entry = try #require(UIDDictionary.entry(for: "1.2.840.10008.1.2.2"))
        #expect(entry.keyword == "ExplicitVRBigEndian" && entry.isRetired)
    }

    @Test func otherTypes() {
        #expect(UIDDictionary.entry(for: "1.2.840.10008.3.1.1.1")?.type == .applicationContextName)
        #expect(UIDDictionary.entry(for: "1.2.840.10008.1.4.1.1")?.type == .wellKnownFrameOfReference)
        #expect(UIDDictionary.entry(for: "1.2.840.10008.1.2.5.1") == nil)
        #expect(UIDDictionary.uid(forKeyword: "NoSuchKeyword") == nil)
    }

    @Test func storageSOPClasses() {
        #expect(UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.1.1.2"))          // CT Image
        #expect(UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.1.1.1.1.1"))      // DX - For Processing
        #expect(UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.1.1.6"))          // US (retired)
        #expect(UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.38.1"))           // Hanging Protocol
        #expect(UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.1.1.4\0"))
        #expect(!UIDDictionary.isStorageSOPClass("1.2.840.10008.5.1.4.1.1.201.2"))     // Inventory - FIND
        #expect(!UIDDictionary.isStorageSOPClass("1.2.840.10008.1.20.1"))              // Storage Commitment
        #expect(!UIDDictionary.isStorageSOPClass("1.2.840.10008.1.3.10"))              // DICOMDIR
        #expect(!UIDDictionary.isStorageSOPClass("1.2.840.10008.1.1"))                 // Verification
        #expect(!UIDDictionary.isStorageSOPClass("1.2.840.10008.1.2.1"))
    }

    @Test func storageListAgreesWithPredicateOverTheWholeRegistry() {
        let listed = Set(UIDDictionary.storageSOPClasses)
        #expect(listed.count == UIDDictionary.storageSOPClasses.count)
        #expect(listed.count > 150)
        for entry in UIDDictionary.tables.entries {
            #expect(UIDDictionary.isStorageSOPClass(entry.uid) == listed.contains(entry.uid))
            if listed.contains(entry.uid) { #expect(entry.type == .sopClass && entry.name.contains("Storage")) }
        }
    }

    @Test func everyKeywordRoundTrips() {
        for entry in UIDDictionary.tables.entries where !entry.keyword.isEmpty {
            #expect(UIDDictionary.uid(forKeyword: entry.keyword) == entry.uid)
            #expect(UIDDictionary.entry(for: entry.uid) == entry)
        }
    }

    @Test func parsedTableMatchesGeneratedRows() {
        #expect(UIDDictionary.tables.entries.count == UIDDictionary.generatedRowCount)
        #expect(UIDDictionary.tables.byUID.count == UIDDictionary.generatedRowCount)
    }
}
