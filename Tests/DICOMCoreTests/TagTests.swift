import Testing
@testable import DICOMCore

@Suite struct TagTests {
    @Test func privateCreatorBlocks() {
        #expect(Tag(0x0009, 0x0010).isPrivateCreator)
        #expect(!Tag(0x0009, 0x1000).isPrivateCreator)
        #expect(!Tag(0x0008, 0x0010).isPrivate)
    }

    @Test func descriptionIsUpperHex() {
        #expect(Tag(0x7FE0, 0x0010).description == "(7FE0,0010)")
        #expect(Tag(0x00100020).description == "(0010,0020)")
    }

    @Test func longExplicitLengthVRs() {
        #expect(VR.UV.hasLongExplicitLength && VR.SQ.hasLongExplicitLength)
        #expect(!VR.US.hasLongExplicitLength && !VR.PN.hasLongExplicitLength)
    }
}
