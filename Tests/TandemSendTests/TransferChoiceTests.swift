@testable import DICOMCore
import Testing
@testable import DICOMNetwork
@testable import TandemSend

@Suite struct TransferChoiceTests {
    typealias F = SendPlanTests
    static func accepted(_ id: UInt8, _ sopClass: String, _ syntax: TransferSyntax) -> AcceptedPresentationContext {
        AcceptedPresentationContext(id: id, abstractSyntax: sopClass, transferSyntax: syntax.uid)
    }

    @Test func theFilesOwnSyntaxIsSentAsStoredOnAnyContextOfItsClass() {
        let file = F.file(1, syntax: .implicitVRLittleEndian)
        let contexts = [Self.accepted(1, F.ct, .explicitVRLittleEndian), Self.accepted(3, F.ct, .implicitVRLittleEndian)]
        #expect(TransferChoice.choose(for: file, accepted: contexts) == .asStored(contextID: 3))
    }

    @Test func anotherUncompressedSyntaxMeansConversionPreferringExplicitLittleEndian() {
        let file = F.file(1, syntax: .explicitVRBigEndian)
        let contexts = [Self.accepted(5, F.ct, .implicitVRLittleEndian), Self.accepted(7, F.ct, .explicitVRLittleEndian),
                        Self.accepted(9, F.mr, .explicitVRBigEndian)]
        #expect(TransferChoice.choose(for: file, accepted: contexts)
                == .converted(contextID: 7, to: .explicitVRLittleEndian))
    }

    @Test func aCompressedFileIsTranscodedWhenOnlyNativeSyntaxesWereAcceptedPreferringExplicitLittleEndian() {
        let file = F.file(1, syntax: .jpegLSLossless)
        let contexts = [Self.accepted(1, F.ct, .implicitVRLittleEndian), Self.accepted(3, F.ct, .explicitVRLittleEndian)]
        #expect(TransferChoice.choose(for: file, accepted: contexts) == .transcoded(contextID: 3, to: .explicitVRLittleEndian))
        #expect(TransferChoice.choose(for: file, accepted: [Self.accepted(5, F.ct, .implicitVRLittleEndian)])
                == .transcoded(contextID: 5, to: .implicitVRLittleEndian))
    }

    @Test func aCompressedFileGoesAsStoredWheneverItsOwnSyntaxWasAccepted() {
        let file = F.file(1, syntax: .jpegLSLossless)
        let contexts = [Self.accepted(1, F.ct, .explicitVRLittleEndian), Self.accepted(3, F.ct, .jpegLSLossless)]
        #expect(TransferChoice.choose(for: file, accepted: contexts) == .asStored(contextID: 3))
    }

    @Test func aCompressedFileIsNotTranscodedToBigEndianNorToAnotherCompressedSyntax() {
        let file = F.file(1, syntax: .jpegLSLossless)
        let choice = TransferChoice.choose(for: file, accepted: [Self.accepted(1, F.ct, .explicitVRBigEndian),
                                                                 Self.accepted(3, F.ct, .rleLossless)])
        guard case .refused(let reason) = choice else { Issue.record("\(choice)"); return }
        #expect(reason.contains("JPEG-LS Lossless") && reason.contains("1.2.840.10008.1.2.4.80"))
        #expect(reason.contains("CT Image Storage") && reason.contains("RLE Lossless"))
    }

    @Test func aFileWhosePixelDataCannotBeDecodedIsRefused() {
        let file = F.file(1, syntax: .mpeg4AVCH264HighProfile)
        let choice = TransferChoice.choose(for: file, accepted: [Self.accepted(1, F.ct, .explicitVRLittleEndian)])
        guard case .refused(let reason) = choice else { Issue.record("\(choice)"); return }
        #expect(reason.contains("cannot be decoded"))
    }

    @Test func anUncompressedFileIsRefusedWhenOnlyACompressedSyntaxWasAccepted() {
        let file = F.file(1)
        let choice = TransferChoice.choose(for: file, accepted: [Self.accepted(1, F.ct, .rleLossless)])
        guard case .refused(let reason) = choice else { Issue.record("\(choice)"); return }
        #expect(reason.contains("RLE Lossless") && reason.contains("Explicit VR Little Endian"))
    }

    @Test func aClassWithoutAcceptedContextIsRefused() {
        let choice = TransferChoice.choose(for: F.file(1), accepted: [Self.accepted(1, F.mr, .explicitVRLittleEndian)])
        #expect(choice == .refused(reason: "the peer accepted no presentation context for CT Image Storage "
                                   + "(file in Explicit VR Little Endian, 1.2.840.10008.1.2.1)"))
    }
}
