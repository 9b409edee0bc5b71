import DICOMCore

/// RLE Lossless (PS3.5 Annex G). A frame is a 64-byte header (segment count, then up to 15
/// segment offsets) and one PackBits segment per byte of each sample, most significant byte
/// first, samples in order (G.2). Each segment decodes to exactly Rows × Columns bytes.
struct RLEFrameDecoder: FrameDecoder {
    func decode(_ encoded: [UInt8], description: PixelDescription, transferSyntax: TransferSyntax) throws -> DecodedFrame {
        let width = description.bytesPerSample, samples = description.samplesPerPixel
        let segmentCount = width * samples
        guard segmentCount <= 15 else {
            throw ImagingError(.unsupported, "RLE holds at most 15 segments; this frame needs \(segmentCount)")
        }
        guard encoded.count >= 64 else {
            throw ImagingError(.malformedPixelData, "the RLE frame is \(encoded.count) bytes, shorter than its 64-byte header")
        }
        let header = littleEndian(Array(encoded[0..<64]), width: 4)
        guard header[0] == UInt64(segmentCount) else {
            throw ImagingError(.codestreamMismatch, "the RLE header has \(header[0]) segments; "
                               + "\(samples) sample(s) of \(description.bitsAllocated) bits need \(segmentCount)")
        }
        let offsets = header[1...segmentCount].map { Int($0) }
        for (index, offset) in offsets.enumerated() {
            let previous = index == 0 ? 63 : offsets[index - 1]
            guard offset >= 64, offset > previous, offset <= encoded.count else {
                throw ImagingError(.malformedPixelData, "RLE segment \(index + 1) offset \(offset) is outside the frame")
            }
        }
        let pixels = description.pixelCount
        var output = [UInt8](repeating: 0, count: description.decodedFrameLength)
        try encoded.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { out in
                for segment in 0..<segmentCount {
                    let end = segment + 1 < segmentCount ? offsets[segment + 1] : input.count
                    // Segment order: sample by sample, most significant byte first; output is
                    // little endian and interleaved.
                    let sample = segment / width, significance = segment % width
                    let first = sample * width + (width - 1 - significance)
                    try unpack(input, from: offsets[segment], to: end, into: out, first: first,
                               stride: samples * width, count: pixels, segment: segment + 1)
                }
            }
        }
        var decoded = description
        decoded.planarConfiguration = 0
        return DecodedFrame(description: decoded, bytes: output)
    }

    /// PackBits (G.3.1): n in 0…127 copies n+1 bytes; n in −127…−1 repeats the next byte 1−n
    /// times; −128 does nothing. Output bytes go to `first`, `first + stride`, …
    private func unpack(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                        into out: UnsafeMutableBufferPointer<UInt8>, first: Int, stride: Int, count: Int,
                        segment: Int) throws {
        var position = start, written = 0, target = first
        while written < count {
            guard position < end else {
                throw ImagingError(.malformedPixelData,
                                   "RLE segment \(segment) ends after \(written) of \(count) bytes")
            }
            let control = Int(Int8(bitPattern: input[position]))
            position += 1
            if control >= 0 {
                let run = min(control + 1, count - written)
                guard position + control + 1 <= end else {
                    throw ImagingError(.malformedPixelData, "RLE segment \(segment) literal run passes its end")
                }
                for offset in 0..<run { out[target] = input[position + offset]; target += stride }
                position += control + 1
                written += run
            } else if control != -128 {
                guard position < end else {
                    throw ImagingError(.malformedPixelData, "RLE segment \(segment) replicate run passes its end")
                }
                let value = input[position], run = min(1 - control, count - written)
                position += 1
                for _ in 0..<run { out[target] = value; target += stride }
                written += run
            }
        }
    }
}
