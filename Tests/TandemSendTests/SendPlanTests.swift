@testable import DICOMCore
import DICOMNetwork
import Testing
@testable import TandemSend

@Suite struct SendPlanTests {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let mr = "1.2.840.10008.5.1.4.1.1.4"

    static func file(_ index: Int, sopClass: String = ct, syntax: TransferSyntax = .explicitVRLittleEndian,
                     size: Int = 1000) -> InstanceSummary {
        InstanceSummary(path: "/data/\(index).dcm", sopClassUID: sopClass, sopInstanceUID: "1.2.3.\(index)",
                        studyInstanceUID: nil, seriesInstanceUID: nil, patientID: nil,
                        transferSyntaxUID: syntax.uid, size: size, dataSetOffset: 132)
    }

    @Test func uncompressedKeysOfferTheirOwnSyntaxThenExplicitAndImplicitLittleEndian() {
        let implicitKey = ContextKey(sopClassUID: Self.ct, transferSyntaxUID: TransferSyntax.implicitVRLittleEndian.uid)
        #expect(implicitKey.proposedTransferSyntaxes == ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"])
        let bigKey = ContextKey(sopClassUID: Self.ct, transferSyntaxUID: TransferSyntax.explicitVRBigEndian.uid)
        #expect(bigKey.proposedTransferSyntaxes == ["1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2"])
        let deflatedKey = ContextKey(sopClassUID: Self.ct, transferSyntaxUID: TransferSyntax.deflatedExplicitVRLittleEndian.uid)
        #expect(deflatedKey.proposedTransferSyntaxes.first == "1.2.840.10008.1.2.1.99")
        #expect(deflatedKey.proposedTransferSyntaxes.count == 3)
    }

    @Test func decodableEncapsulatedKeysOfferTheirOwnSyntaxThenNativeOnesToTranscodeTo() {
        let key = ContextKey(sopClassUID: Self.ct, transferSyntaxUID: TransferSyntax.jpegLSLossless.uid)
        #expect(key.proposedTransferSyntaxes == ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2"])
    }

    @Test func undecodableEncapsulatedKeysOfferOnlyTheirOwnSyntax() {
        let key = ContextKey(sopClassUID: Self.ct, transferSyntaxUID: TransferSyntax.mpeg4AVCH264HighProfile.uid)
        #expect(key.proposedTransferSyntaxes == [TransferSyntax.mpeg4AVCH264HighProfile.uid])
    }

    @Test func aForcedListIsProposedForEveryKeyWhateverTheStoredSyntax() {
        let files = [Self.file(1, syntax: .jpegLSLossless), Self.file(2)]
        let forced: [TransferSyntax] = [.implicitVRLittleEndian, .implicitVRLittleEndian, .rleLossless]
        let contexts = AssociationPlan.sequence(for: files, forcedTransferSyntaxes: forced)[0].presentationContexts
        #expect(contexts.count == 2)
        #expect(contexts.allSatisfy { $0.transferSyntaxes == ["1.2.840.10008.1.2", "1.2.840.10008.1.2.5"] })
    }

    @Test func oneContextPerSOPClassAndSyntaxWithOddIDs() {
        let files = [Self.file(1), Self.file(2), Self.file(3, sopClass: Self.mr),
                     Self.file(4, syntax: .rleLossless), Self.file(5)]
        let plans = AssociationPlan.sequence(for: files)
        #expect(plans.count == 1)
        let contexts = plans[0].presentationContexts
        #expect(contexts.map(\.id) == [1, 3, 5])
        #expect(contexts.map(\.abstractSyntax) == [Self.ct, Self.mr, Self.ct])
        #expect(contexts[2].transferSyntaxes.first == TransferSyntax.rleLossless.uid)
        #expect(plans[0].files == files)
    }

    @Test func moreThan128KeysSplitIntoSeveralAssociations() {
        // 300 distinct SOP classes: 128 + 128 + 44 contexts.
        let files = (0..<300).map { Self.file($0, sopClass: "1.2.3.4.\($0)") }
        let plans = AssociationPlan.sequence(for: files)
        #expect(plans.map(\.presentationContexts.count) == [128, 128, 44])
        #expect(plans.allSatisfy { $0.presentationContexts.last!.id == UInt8(2 * $0.presentationContexts.count - 1) })
        #expect(plans.flatMap(\.files) == files)
        // Each file's key is proposed in the association that carries it.
        for plan in plans {
            let classes = Set(plan.presentationContexts.map(\.abstractSyntax))
            #expect(plan.files.allSatisfy { classes.contains($0.sopClassUID) })
        }
    }

    @Test func filesSharingAKeyStayInOneAssociationWhenSplitting() {
        let files = [Self.file(0, sopClass: "1.2.3.0"), Self.file(1, sopClass: "1.2.3.1"),
                     Self.file(2, sopClass: "1.2.3.2"), Self.file(3, sopClass: "1.2.3.0")]
        let plans = AssociationPlan.sequence(for: files, maximumContexts: 2)
        #expect(plans.map { $0.files.map(\.path) } == [["/data/0.dcm", "/data/1.dcm", "/data/3.dcm"], ["/data/2.dcm"]])
    }

    @Test func parallelAssociationsShareTheBytesEvenly() {
        let files = (0..<100).map { Self.file($0, size: $0 % 2 == 0 ? 1000 : 3000) }
        let plan = SendPlan(files: files, parallelAssociations: 4)
        #expect(plan.lanes.count == 4)
        let bytes = plan.lanes.map { $0.flatMap(\.files).reduce(0) { $0 + $1.size } }
        #expect(bytes.allSatisfy { abs($0 - 50_000) <= 3000 }, "\(bytes)")
        #expect(plan.lanes.flatMap { $0.flatMap(\.files) } == files)
    }

    @Test func neverMoreLanesThanFilesAndNoneForNothing() {
        #expect(SendPlan(files: [Self.file(1), Self.file(2)], parallelAssociations: 8).lanes.count == 2)
        #expect(SendPlan(files: [], parallelAssociations: 4).lanes.isEmpty)
        #expect(SendPlan(files: [Self.file(1)], parallelAssociations: 1).associationCount == 1)
    }
}
