import DICOMCore
@testable import DICOMImaging

/// An image data set built in memory: the Image Pixel module and the given Pixel Data.
func imageDataSet(rows: Int, columns: Int, bitsAllocated: Int = 16, bitsStored: Int? = nil, signed: Bool = false,
                  samples: Int = 1, photometric: String = "MONOCHROME2", frames: Int? = nil,
                  pixelData: ElementValue) throws -> DataSet {
    var dataSet = DataSet()
    try dataSet.set(.sopClassUID, vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
    try dataSet.set(.sopInstanceUID, vr: .UI, string: "2.25.1234")
    try dataSet.set(.samplesPerPixel, vr: .US, int: samples)
    try dataSet.set(.photometricInterpretation, vr: .CS, string: photometric)
    if let frames { try dataSet.set(.numberOfFrames, vr: .IS, int: frames) }
    try dataSet.set(.rows, vr: .US, int: rows)
    try dataSet.set(.columns, vr: .US, int: columns)
    try dataSet.set(.bitsAllocated, vr: .US, int: bitsAllocated)
    try dataSet.set(.bitsStored, vr: .US, int: bitsStored ?? bitsAllocated)
    try dataSet.set(.highBit, vr: .US, int: (bitsStored ?? bitsAllocated) - 1)
    try dataSet.set(.pixelRepresentation, vr: .US, int: signed ? 1 : 0)
    if samples == 3 { try dataSet.set(.planarConfiguration, vr: .US, int: 0) }
    dataSet.insert(DataElement(tag: .pixelData, vr: bitsAllocated > 8 ? .OW : .OB, value: pixelData,
                               hasUndefinedLength: { if case .encapsulated = pixelData { return true }; return false }()))
    return dataSet
}

func littleEndianBytes(_ values: [UInt16]) -> [UInt8] {
    values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}

/// An RLE frame (PS3.5 Annex G) of the given segments, each encoded as literal runs only.
func rleFrame(segments: [[UInt8]]) -> [UInt8] {
    var encoded: [[UInt8]] = segments.map { segment in
        stride(from: 0, to: segment.count, by: 128).flatMap { start -> [UInt8] in
            let run = segment[start..<min(start + 128, segment.count)]
            return [UInt8(run.count - 1)] + run
        }
    }
    encoded = encoded.map { $0.count % 2 == 1 ? $0 + [0x80] : $0 }
    var header = [UInt32](repeating: 0, count: 16)
    header[0] = UInt32(segments.count)
    var offset = 64
    for (index, segment) in encoded.enumerated() {
        header[index + 1] = UInt32(offset)
        offset += segment.count
    }
    return header.flatMap { value in (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } } + encoded.flatMap { $0 }
}

func decodeAll(_ dataSet: DataSet, _ syntax: TransferSyntax) throws -> [DecodedFrame] {
    let frames = try PixelFrames(dataSet: dataSet, transferSyntax: syntax)
    return try (0..<frames.count).map { try FrameDecoders.standard.decodeFrame($0, of: frames) }
}
