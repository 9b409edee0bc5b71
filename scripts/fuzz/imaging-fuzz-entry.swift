// libFuzzer entry points for the pixel decoders (built by run-imaging-fuzzer.sh, not part of
// Package.swift; one binary per decoder, chosen by -D). The input is a 7-byte frame description
// (rows and columns as UInt16 LE, bits allocated, samples per pixel, photometric selector)
// followed by the encoded frame. Any input must end in a frame or an ImagingError, never a
// crash, and a decoded frame must have exactly the size its description says.

@_cdecl("LLVMFuzzerTestOneInput")
public func imagingFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    #if FUZZ_FRAMES
    // A whole Part 10 file: frame extraction, decoding and rendering of every frame.
    guard let file = try? DICOMFile(bytes: bytes, options: ReadOptions(maximumInflatedSize: 4 << 20)),
          let image = try? DICOMImage(file: file, decoders: FrameDecoders(maximumFrameLength: 16 << 20))
    else { return 0 }
    for index in 0..<min(image.frameCount, 4) { _ = try? image.rendered(frame: index) }
    return 0
    #else
    guard bytes.count >= 7 else { return 0 }
    let rows = Int(bytes[0]) | Int(bytes[1]) << 8, columns = Int(bytes[2]) | Int(bytes[3]) << 8
    let bits = bytes[4] % 2 == 0 ? 8 : 16, samples = bytes[5] % 2 == 0 ? 1 : 3
    let photometric: PhotometricInterpretation = samples == 1 ? (bytes[6] % 2 == 0 ? .monochrome2 : .monochrome1)
        : [.rgb, .ybrFull, .ybrFull422, .ybrRCT, .ybrICT][Int(bytes[6]) % 5]
    let description = PixelDescription(rows: max(rows, 1), columns: max(columns, 1), samplesPerPixel: samples,
                                       bitsAllocated: bits, bitsStored: bits, photometricInterpretation: photometric)
    #if FUZZ_RLE
    let syntax = TransferSyntax.rleLossless
    #elseif FUZZ_JPEG
    let syntax = [TransferSyntax.jpegBaseline, .jpegExtended, .jpegLossless, .jpegLosslessSV1][Int(bytes[6]) % 4]
    #elseif FUZZ_JPEGLS
    let syntax = TransferSyntax.jpegLSLossless
    #else
    let syntax = bytes[6] % 2 == 0 ? TransferSyntax.jpeg2000 : .htj2k
    #endif
    let decoders = FrameDecoders(maximumFrameLength: 16 << 20)
    if let frame = try? decoders.decode(Array(bytes[7...]), description: description, transferSyntax: syntax) {
        precondition(frame.bytes.count == description.decodedFrameLength, "decoded frame has the wrong size")
        _ = try? FrameRenderer(dataSet: DataSet()).render(frame)
    }
    return 0
    #endif
}
