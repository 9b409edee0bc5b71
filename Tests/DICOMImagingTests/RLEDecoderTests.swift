import DICOMCore
import Testing
@testable import DICOMImaging

@Suite("RLE Lossless decoder (PS3.5 Annex G)")
struct RLEDecoderTests {
    let grey16 = PixelDescription(rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 16, photometricInterpretation: .monochrome2)

    @Test("Replicate and literal runs; segments most significant byte first, output little endian")
    func runs() throws {
        // High bytes: replicate 0x01 four times (-3); low bytes: literal 4 bytes (3).
        var frame = rleFrame(segments: [[0, 0, 0, 0], [0, 0, 0, 0]])
        frame.removeSubrange(64...)
        let high: [UInt8] = [0xFD, 0x01]
        let low: [UInt8] = [0x03, 0x10, 0x20, 0x30, 0x40]
        frame[8] = UInt8(64 + high.count)
        frame += high + low
        let decoded = try RLEFrameDecoder().decode(frame, description: grey16, transferSyntax: .rleLossless)
        #expect(decoded.sampleValues() == [0x0110, 0x0120, 0x0130, 0x0140])
    }

    @Test("No-op control byte -128 is skipped")
    func noOp() throws {
        var frame = rleFrame(segments: [[1, 2, 3, 4]])
        frame.insert(0x80, at: 64)
        let description = PixelDescription(rows: 2, columns: 2, bitsAllocated: 8, bitsStored: 8,
                                           photometricInterpretation: .monochrome2)
        #expect(try RLEFrameDecoder().decode(frame, description: description, transferSyntax: .rleLossless).bytes
                == [1, 2, 3, 4])
    }

    @Test("RGB segments are interleaved into planar configuration 0")
    func colour() throws {
        let frame = rleFrame(segments: [[10, 11], [20, 21], [30, 31]])
        let description = PixelDescription(rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
                                           planarConfiguration: 1, photometricInterpretation: .rgb)
        let decoded = try RLEFrameDecoder().decode(frame, description: description, transferSyntax: .rleLossless)
        #expect(decoded.bytes == [10, 20, 30, 11, 21, 31])
        #expect(decoded.description.planarConfiguration == 0)
    }

    @Test("Hostile frames: short header, wrong segment count, offsets outside, truncated runs",
          arguments: ["short", "segments", "offset", "truncated", "literal"])
    func hostile(_ damage: String) throws {
        var frame = rleFrame(segments: [Array(repeating: 7, count: 4), Array(repeating: 9, count: 4)])
        switch damage {
        case "short": frame = Array(frame.prefix(40))
        case "segments": frame[0] = 3
        case "offset": frame[8] = 0xFF; frame[9] = 0xFF
        case "truncated": frame = Array(frame.prefix(frame.count - 3))
        default: frame[64] = 0x7F  // a literal run of 128 bytes in a 5-byte segment
        }
        #expect(throws: ImagingError.self) {
            try RLEFrameDecoder().decode(frame, description: grey16, transferSyntax: .rleLossless)
        }
    }
}
