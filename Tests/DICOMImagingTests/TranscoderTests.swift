import DICOMCore
import Testing
@testable import DICOMImaging

@Suite("Transcoding to native syntaxes, streamed frame by frame")
struct TranscoderTests {
    /// A 3-frame RLE image with an element after Pixel Data, as some writers leave (a private group).
    static func rleImage() throws -> DICOMImage {
        var dataSet = try FrameExtractionTests.rleDataSet(frames: 3, fragments: FrameExtractionTests.rleFragments(3))
        try dataSet.set(.photometricInterpretation, vr: .CS, string: "MONOCHROME2")
        dataSet.insert(DataElement(tag: Tag(0x7FE1, 0x0010), vr: .LO, value: .bytes(Array("TRAILER ".utf8))))
        return try DICOMImage(file: DICOMFile(dataSet: dataSet, transferSyntax: .rleLossless))
    }

    @Test("The streamed data set is byte for byte the in-memory transcoding's, in both native syntaxes",
          arguments: Transcoder.nativeTargets)
    func streamedEqualsInMemory(_ target: TransferSyntax) throws {
        let image = try Self.rleImage()
        var pieces: [[UInt8]] = []
        try Transcoder.writeDataSet(image, to: target) { pieces.append($0) }
        let whole = try Transcoder.transcode(image, to: target)
        #expect(pieces.joined().elementsEqual(try DataSetWriter.encode(whole.dataSet, transferSyntax: target)))
        // Each frame is its own piece: nothing gathers the frames.
        #expect(pieces.contains([0, 1, 2, 3]) && pieces.contains([1, 1, 2, 3]) && pieces.contains([2, 1, 2, 3]))
        let reread = try DICOMFile(bytes: Array(pieces.joined()))
        #expect(reread.transferSyntax == target)
        #expect(reread.dataSet[.pixelData]?.bytes == [0, 1, 2, 3, 1, 1, 2, 3, 2, 1, 2, 3])
        #expect(reread.dataSet.string(Tag(0x7FE1, 0x0010)) == "TRAILER")
    }

    @Test("A frame that does not decode fails the whole transcoding with the codec's reason")
    func corruptFrameFails() throws {
        var fragments = FrameExtractionTests.rleFragments(3)
        fragments[2] = [0xFF, 0xFF, 0xFF, 0xFF]
        let dataSet = try FrameExtractionTests.rleDataSet(frames: 3, fragments: fragments)
        let image = try DICOMImage(file: DICOMFile(dataSet: dataSet, transferSyntax: .rleLossless))
        #expect(throws: ImagingError.self) { try Transcoder.writeDataSet(image, to: .explicitVRLittleEndian) { _ in } }
    }

    @Test("Only Explicit and Implicit VR Little Endian are targets")
    func otherTargetsAreRefused() throws {
        let error = try #require(throws: ImagingError.self) {
            try Transcoder.writeDataSet(Self.rleImage(), to: .explicitVRBigEndian) { _ in }
        }
        #expect(error.kind == .unsupported)
    }
}
