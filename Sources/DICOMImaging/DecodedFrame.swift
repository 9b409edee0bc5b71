/// One frame of native pixels: every sample at full resolution, little endian, `bitsAllocated`
/// wide. The photometric interpretation and planar configuration are the ones of these bytes,
/// which may differ from the data set's when a codec converted colour (a YBR JPEG decodes to RGB).
public struct DecodedFrame: Hashable, Sendable {
    public var description: PixelDescription
    public var bytes: [UInt8]

    public init(description: PixelDescription, bytes: [UInt8]) {
        self.description = description
        self.bytes = bytes
    }

    /// The same pixels with samples interleaved per pixel (planar configuration 0).
    public func interleaved() -> DecodedFrame {
        let d = description
        guard d.samplesPerPixel > 1, d.planarConfiguration == 1 else { return self }
        let width = d.bytesPerSample, samples = d.samplesPerPixel, pixels = d.pixelCount
        var output = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for sample in 0..<samples {
                    for pixel in 0..<pixels {
                        let from = (sample * pixels + pixel) * width, to = (pixel * samples + sample) * width
                        for byte in 0..<width { out[to + byte] = input[from + byte] }
                    }
                }
            }
        }
        var result = DecodedFrame(description: d, bytes: output)
        result.description.planarConfiguration = 0
        return result
    }

    /// Sample values as integers: masked to Bits Stored and sign-extended when signed, which is
    /// what the standard says the bits above High Bit never mean (PS3.5 §8.1.1).
    public func sampleValues() -> [Int32] {
        let d = description
        let count = d.pixelCount * d.samplesPerPixel
        let stored = d.bitsStored
        let mask: UInt32 = stored >= 32 ? .max : (1 << UInt32(stored)) - 1
        let signBit: UInt32 = 1 << UInt32(stored - 1)
        let signed = d.isSigned
        var values = [Int32](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            values.withUnsafeMutableBufferPointer { out in
                for index in 0..<count {
                    let word: UInt32
                    switch d.bitsAllocated {
                    case 8: word = UInt32(raw[index])
                    case 16: word = UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
                    default: word = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                    }
                    let value = word & mask
                    out[index] = signed && value & signBit != 0 ? Int32(bitPattern: value | ~mask) : Int32(bitPattern: value)
                }
            }
        }
        return values
    }
}
