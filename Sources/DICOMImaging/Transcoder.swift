import DICOMCore
import Foundation

/// Rewrites an image in a native transfer syntax (Explicit or Implicit VR Little Endian) with the
/// data set otherwise unchanged: Pixel Data decoded frame by frame, Photometric Interpretation and
/// Planar Configuration set to what the decoder produced, offset tables dropped. A lossy source
/// keeps its Lossy Image Compression attributes, and gains them if it lacked them (PS3.3
/// C.7.6.1.1.5): decompressing does not undo a loss.
///
/// `write` streams: one frame is read, decoded and written at a time, so a 3,000-frame enhanced MR
/// needs the memory of a few frames. `transcode` builds the result in memory for small objects.
public enum Transcoder {
    public static let nativeTargets: [TransferSyntax] = [.explicitVRLittleEndian, .implicitVRLittleEndian]

    /// The transcoded file, whole in memory.
    public static func transcode(_ image: DICOMImage, to target: TransferSyntax) throws -> DICOMFile {
        let plan = try TranscodePlan(image, target: target)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(plan.pixelDataLength)
        try plan.forEachFrame { pixels += $0 }
        if pixels.count % 2 == 1 { pixels.append(0) }
        var dataSet = plan.dataSet
        dataSet.insert(DataElement(tag: .pixelData, vr: plan.pixelDataVR, value: .bytes(pixels)))
        var file = try DICOMFile(dataSet: dataSet, transferSyntax: target,
                                 sourceApplicationEntityTitle: image.file.sourceApplicationEntityTitle)
        file.preamble = image.file.preamble
        return file
    }

    /// Streams the transcoded data set (without File Meta Information, as it goes in a C-STORE)
    /// to `output`, in pieces of at most about one frame.
    public static func writeDataSet(_ image: DICOMImage, to target: TransferSyntax,
                                    _ output: ([UInt8]) throws -> Void) throws {
        let plan = try TranscodePlan(image, target: target)
        let before = DataSet(plan.dataSet.elements.filter { $0.tag < .pixelData })
        let after = DataSet(plan.dataSet.elements.filter { $0.tag > .pixelData })
        try output(DataSetWriter.encode(before, transferSyntax: target))
        try output(plan.pixelDataHeader)
        try plan.forEachFrame(output)
        if plan.pixelDataLength % 2 == 1 { try output([0]) }
        if !after.isEmpty { try output(DataSetWriter.encode(after, transferSyntax: target)) }
    }

    /// Writes the transcoded object to a new file at `path` (created, never overwritten): a Part
    /// 10 file, or with `metaInformation` false the bare data set as a C-STORE carries it.
    /// Returns the number of bytes written.
    @discardableResult
    public static func write(_ image: DICOMImage, to target: TransferSyntax, path: String,
                             metaInformation: Bool = true) throws -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? handle.close() }
        var length = 0
        let output = { (bytes: [UInt8]) throws in
            try handle.write(contentsOf: bytes)
            length += bytes.count
        }
        if metaInformation {
            guard let sopClass = image.dataSet.string(.sopClassUID),
                  let sopInstance = image.dataSet.string(.sopInstanceUID) else {
                throw DICOMError(.invalidFileMetaInformation("the data set has no SOP Class UID or SOP Instance UID"))
            }
            try output(DICOMFile.metaHeader(sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: target,
                                            sourceApplicationEntityTitle: image.file.sourceApplicationEntityTitle))
        }
        try writeDataSet(image, to: target, output)
        return length
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

/// What a transcoding writes: the data set's attributes as they will be (without Pixel Data), and
/// the frames one by one. The first frame is decoded up front, since what the codec produces
/// (colour model, planar configuration) decides the attributes written before the pixels.
struct TranscodePlan {
    let image: DICOMImage
    let target: TransferSyntax
    /// The data set without Pixel Data, its pixel description attributes updated.
    private(set) var dataSet: DataSet
    let frameLength: Int
    let pixelDataLength: Int
    private let firstFrame: [UInt8]
    private let decodedDescription: PixelDescription

    init(_ image: DICOMImage, target: TransferSyntax) throws {
        guard Transcoder.nativeTargets.contains(target) else {
            throw ImagingError(.unsupported, "transcoding to \(target.name) is not supported")
        }
        self.image = image
        self.target = target
        let description = image.description
        let source = image.frames.transferSyntax
        if source.isEncapsulated {
            let first = try image.decodedFrame(0)
            (firstFrame, decodedDescription) = (first.bytes, first.description)
            frameLength = description.decodedFrameLength
        } else {
            // Native already: the frames' bytes as they are (YBR_FULL_422 stays subsampled).
            (firstFrame, decodedDescription) = (try image.frames.encodedFrame(0), description)
            frameLength = description.nativeFrameLength
        }
        let (length, overflow) = frameLength.multipliedReportingOverflow(by: image.frameCount)
        // A defined length must fit the 32-bit length field, below the undefined length (PS3.5 §7.1.1).
        guard !overflow, length < 0xFFFF_FFFE else {
            throw ImagingError(.frameTooLarge, "\(image.frameCount) frames of \(frameLength) bytes do not fit "
                               + "one native Pixel Data value")
        }
        pixelDataLength = length
        dataSet = image.dataSet
        dataSet.remove(.pixelData)
        dataSet.remove(.extendedOffsetTable)
        dataSet.remove(.extendedOffsetTableLengths)
        // Other large values (overlays, private blobs) were left in the file too: written as they are.
        for element in dataSet.elements {
            guard case .bulkData(let reference) = element.value else { continue }
            dataSet.insert(DataElement(tag: element.tag, vr: element.vr, value: .bytes(try image.frames.load(reference))))
        }
        if decodedDescription.photometricInterpretation != description.photometricInterpretation {
            try dataSet.set(.photometricInterpretation, vr: .CS,
                            string: decodedDescription.photometricInterpretation.rawValue)
        }
        if description.samplesPerPixel > 1 {
            try dataSet.set(.planarConfiguration, vr: .US, uint16: UInt16(decodedDescription.planarConfiguration))
        }
        if let method = Transcoder.lossyMethod(source), dataSet.string(.lossyImageCompression) != "01" {
            try dataSet.set(.lossyImageCompression, vr: .CS, string: "01")
            if dataSet.string(.lossyImageCompressionMethod) == nil {
                try dataSet.set(.lossyImageCompressionMethod, vr: .CS, string: method)
            }
        }
    }

    var pixelDataVR: VR { image.description.bitsAllocated > 8 ? .OW : .OB }

    /// Tag, VR and defined length of the native Pixel Data element (PS3.5 §7.1.2, §7.1.3).
    var pixelDataHeader: [UInt8] {
        let paddedLength = UInt32(pixelDataLength + pixelDataLength % 2)
        var header: [UInt8] = [0xE0, 0x7F, 0x10, 0x00]
        if target.isExplicitVR { header += Array(pixelDataVR.rawValue.utf8) + [0, 0] }
        return header + withUnsafeBytes(of: paddedLength.littleEndian) { Array($0) }
    }

    /// Every frame's native bytes in order; only one decoded frame is held at a time. A frame
    /// that decodes to another layout than the first is an error: one Pixel Data value has one.
    func forEachFrame(_ body: ([UInt8]) throws -> Void) throws {
        try body(firstFrame)
        guard image.frameCount > 1 else { return }
        for index in 1..<image.frameCount {
            if image.frames.transferSyntax.isEncapsulated {
                let frame = try image.decodedFrame(index)
                guard frame.description == decodedDescription, frame.bytes.count == frameLength else {
                    throw ImagingError(.codestreamMismatch, "frame \(index + 1) decodes to another layout than frame 1")
                }
                try body(frame.bytes)
            } else {
                try body(image.frames.encodedFrame(index))
            }
        }
    }
}
