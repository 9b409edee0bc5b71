import Testing
@testable import DICOMCore

@Suite struct DictionaryTests {
    @Test func patientName() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0010, 0x0010)))
        #expect(entry.keyword == "PatientName")
        #expect(entry.name == "Patient's Name")
        #expect(entry.vrs == [.PN] && entry.vr == .PN)
        #expect(entry.vm == "1")
        #expect(!entry.isRetired)
    }

    @Test func ambiguousVRsListImplicitDefaultFirst() throws {
        let pixelData = try #require(DataDictionary.entry(for: .pixelData))
        #expect(pixelData.vrs == [.OW, .OB])
        let paddingValue = try #require(DataDictionary.entry(for: Tag(0x0028, 0x0120)))
        #expect(paddingValue.keyword == "PixelPaddingValue" && paddingValue.vrs == [.US, .SS])
        let lutData = try #require(DataDictionary.entry(for: Tag(0x0028, 0x3006)))
        #expect(lutData.vrs == [.OW, .US])
    }

    @Test func itemTagsHaveNoVR() throws {
        let item = try #require(DataDictionary.entry(for: .item))
        #expect(item.keyword == "Item" && item.vrs.isEmpty && item.vr == .UN)
    }

    @Test func retiredAttribute() throws {
        let entry = try #require(DataDictionary.entry(for: Tag(0x0008, 0x0040)))
        #expect(entry.keyword == "DataSetType" && entry.vr == .US && entry.isRetired)
    }

    @Test func repeatingGroupResolvesToTheAskedTag() throws {
        let overlay = try #require(DataDictionary.entry(for: Tag(0x6002, 0x3000)))
        #expect(overlay.keyword == "OverlayData" && overlay.vrs == [.OW, .OB] && !overlay.isRetired)
        #expect(overlay.tag == Tag(0x6002, 0x3000))
        #expect(DataDictionary.entry(for: Tag(0x601E, 0x0010))?.keyword == "OverlayRows")
        #expect(DataDictionary.entry(for: Tag(0x5004, 0x3000))?.keyword == "CurveData")
        // Beyond the 16 repeating groups of PS3.5 §7.6, and odd (private) groups, do not match.
        #expect(DataDictionary.entry(for: Tag(0x6020, 0x3000)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x6003, 0x3000)) == nil)
    }

    @Test func elementMasks() throws {
        let sourceImageIDs = try #require(DataDictionary.entry(for: Tag(0x0020, 0x31A7)))
        #expect(sourceImageIDs.keyword == "SourceImageIDs" && sourceImageIDs.vm == "1-n" && sourceImageIDs.isRetired)
        #expect(DataDictionary.entry(for: Tag(0x1000, 0x0120))?.keyword == "EscapeTriplet")
        #expect(DataDictionary.entry(for: Tag(0x1000, 0x0125))?.keyword == "ShiftTableTriplet")
        #expect(DataDictionary.entry(for: Tag(0x0028, 0x0431))?.keyword == "ColumnsForNthOrderCoefficients")
    }

    @Test func groupLength() throws {
        let generic = try #require(DataDictionary.entry(for: Tag(0x0010, 0x0000)))
        #expect(generic.keyword == "GroupLength" && generic.vr == .UL && generic.isRetired)
        #expect(DataDictionary.entry(for: Tag(0x0009, 0x0000))?.vr == .UL)
        let meta = try #require(DataDictionary.entry(for: Tag(0x0002, 0x0000)))
        #expect(meta.keyword == "FileMetaInformationGroupLength" && !meta.isRetired)
    }

    @Test func privateCreator() throws {
        let creator = try #require(DataDictionary.entry(for: Tag(0x0029, 0x0011)))
        #expect(creator.keyword == "PrivateCreator" && creator.vr == .LO && creator.tag == Tag(0x0029, 0x0011))
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x00FF))?.keyword == "PrivateCreator")
        // Private data elements are unknown; groups 0001–0007 and FFFF may not be private (PS3.5 §7.8.1).
        #expect(DataDictionary.entry(for: Tag(0x0029, 0x1010)) == nil)
        #expect(DataDictionary.entry(for: Tag(0x0007, 0x0010)) == nil)
        #expect(DataDictionary.entry(for: Tag(0xFFFF, 0x0010)) == nil)
    }

    @Test func unknownTag() {
        #expect(DataDictionary.entry(for: Tag(0x0010, 0xFFF0)) == nil)
    }

    @Test func everyKeywordRoundTrips() throws {
        let tables = DataDictionary.tables
        let keyed = tables.exact.values.filter { !$0.keyword.isEmpty } + tables.repeaters.map(\.template)
        #expect(keyed.count == tables.keywords.count)
        for entry in keyed {
            let tag = try #require(DataDictionary.tag(forKeyword: entry.keyword))
            let found = try #require(DataDictionary.entry(for: tag))
            #expect(found.tag == tag && found.keyword == entry.keyword && found.vrs == entry.vrs)
        }
        #expect(DataDictionary.tag(forKeyword: "OverlayData") == Tag(0x6000, 0x3000))
        // (0028,0400) is Transform Label and (1000,0000) a group length, so these masks start higher.
        #expect(DataDictionary.tag(forKeyword: "RowsForNthOrderCoefficients") == Tag(0x0028, 0x0410))
        #expect(DataDictionary.tag(forKeyword: "EscapeTriplet") == Tag(0x1000, 0x0010))
        #expect(DataDictionary.tag(forKeyword: "NoSuchKeyword") == nil)
    }

    @Test func parsedTableMatchesGeneratedRows() {
        #expect(DataDictionary.tables.count == DataDictionary.generatedRowCount)
        #expect(DataDictionary.tables.exact.count > 4000)
        #expect(!DataDictionary.edition.isEmpty)
    }

    @Test func tagConstantsNameTheirKeyword() {
        #expect(Tag.patientName == Tag(0x0010, 0x0010))
        #expect(Tag.sopClassUID == DataDictionary.tag(forKeyword: "SOPClassUID"))
        #expect(Tag.overlayData == Tag(0x6000, 0x3000))
        #expect(DataDictionary.entry(for: .studyInstanceUID)?.keyword == "StudyInstanceUID")
    }
}
