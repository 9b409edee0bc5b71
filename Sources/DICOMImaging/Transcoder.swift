import DICOMCore

/// Rewrites an image in a native transfer syntax (Explicit or Implicit VR Little Endian) with the
/// data set otherwise unchanged: Pixel Data decoded frame by frame, Photometric Interpretation and
/// Planar Configuration set to what the decoder produced, offset tables dropped. A lossy source
/// keeps its Lossy Image Compression attributes, and gains them if it lacked them (PS3.3
/// C.7.6.1.1.5): decompressing does not undo a loss.
public enum Transcoder {
    public static let nativeTargets: [TransferSyntax] = [.explicitVRLittleEndian, .implicitVRLittleEndian]

    public static func transcode(_ image: DICOMImage, to target: TransferSyntax) throws -> DICOMFile {
        guard nativeTargets.contains(target) else {
            throw ImagingError(.unsupported, "transcoding to \(target.name) is not supported")
        }
        var dataSet = image.dataSet
        let source = image.frames.transferSyntax
        let description = image.description
        var pixels: [UInt8] = []
        var decodedDescription = description
        if source.isEncapsulated {
            pixels.reserveCapacity(description.decodedFrameLength * image.frameCount)
            for index in 0..<image.frameCount {
                let frame = try image.decodedFrame(index)
                decodedDescription = frame.description
                pixels += frame.bytes
            }
        } else {
            // Native already: the frames' bytes as they are (YBR_FULL_422 stays subsampled).
            for index in 0..<image.frameCount { pixels += try image.frames.encodedFrame(index) }
        }
        if pixels.count % 2 == 1 { pixels.append(0) }
        dataSet.insert(DataElement(tag: .pixelData, vr: description.bitsAllocated > 8 ? .OW : .OB, value: .bytes(pixels)))
        dataSet.remove(.extendedOffsetTable)
        dataSet.remove(.extendedOffsetTableLengths)
        if decodedDescription.photometricInterpretation != description.photometricInterpretation {
            try dataSet.set(.photometricInterpretation, vr: .CS,
                            string: decodedDescription.photometricInterpretation.rawValue)
        }
        if description.samplesPerPixel > 1 {
            try dataSet.set(.planarConfiguration, vr: .US, uint16: UInt16(decodedDescription.planarConfiguration))
        }
        if let method = lossyMethod(source), dataSet.string(.lossyImageCompression) != "01" {
            try dataSet.set(.lossyImageCompression, vr: .CS, string: "01")
            if dataSet.string(.lossyImageCompressionMethod) == nil {
                try dataSet.set(.lossyImageCompressionMethod, vr: .CS, string: method)
            }
        }
        var file = try DICOMFile(dataSet: dataSet, transferSyntax: target,
                                 sourceApplicationEntityTitle: image.file.sourceApplicationEntityTitle)
        file.preamble = image.file.preamble
        return file
    }

    /// The Lossy Image Compression Method (0028,2114) defined term of a syntax that always loses
    /// information; nil for lossless ones and for those that may be either (JPEG 2000, HTJ2K:
    /// their data sets say which).
    public static func lossyMethod(_ syntax: TransferSyntax) -> String? {
        switch syntax {
        case .jpegBaseline, .jpegExtended: return "ISO_10918_1"
        case .jpegLSNearLossless: return "ISO_14495_1"
        default: return nil
        }
    }
}
