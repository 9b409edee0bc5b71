import DICOMCore
import Testing
@testable import DICOMImaging

/// Codestreams that disagree with their data set or are damaged: each is a clear error.
@Suite("Codec input that lies or is damaged")
struct CodecHostileInputTests {
    /// A real baseline JPEG codestream: a gradient encoded by our own JPEG output.
    static func jpeg(width: Int = 16, height: Int = 8) throws -> [UInt8] {
        let pixels = (0..<width * height).map { UInt8($0 % 256) }
        return try RenderedImage(width: width, height: height, samplesPerPixel: 1, pixels: pixels).jpegData(quality: 95)
    }

    static func jpegDataSet(_ codestream: [UInt8], rows: Int = 8, columns: Int = 16) throws -> DataSet {
        try imageDataSet(rows: rows, columns: columns, bitsAllocated: 8,
                         pixelData: .encapsulated(EncapsulatedPixelData(fragments: [.bytes(codestream)])))
    }

    @Test("A well-formed baseline JPEG decodes")
    func decodes() throws {
        let frame = try decodeAll(Self.jpegDataSet(Self.jpeg()), .jpegBaseline)[0]
        #expect(frame.bytes.count == 128)
        #expect(frame.bytes.max()! > 100)
    }

    @Test("A JPEG whose header disagrees with Rows/Columns is refused before decoding")
    func headerMismatch() throws {
        let error = try #require(throws: ImagingError.self) {
            try decodeAll(Self.jpegDataSet(Self.jpeg(), rows: 16, columns: 16), .jpegBaseline)
        }
        #expect(error.kind == .codestreamMismatch)
    }

    @Test("A codestream claiming 65535×65535 under a small header is refused")
    func hugeCodestreamClaim() throws {
        var codestream = try Self.jpeg()
        // SOF0 (FFC0): length(2) precision(1) height(2) width(2).
        let sof = try #require((0..<codestream.count - 1).first { codestream[$0] == 0xFF && codestream[$0 + 1] == 0xC0 })
        for offset in 5..<9 { codestream[sof + offset] = 0xFF }
        // libjpeg itself refuses dimensions above 65500 while reading the header.
        let error = try #require(throws: ImagingError.self) { try decodeAll(Self.jpegDataSet(codestream), .jpegBaseline) }
        #expect(error.kind == .codestreamMismatch || error.kind == .corruptCodestream)
        #expect(error.message.contains("JPEG"))
    }

    @Test("Rows × Columns of 65535 × 65535 is refused by the frame size limit")
    func hugeHeader() throws {
        let error = try #require(throws: ImagingError.self) {
            try decodeAll(Self.jpegDataSet(Self.jpeg(), rows: 65535, columns: 65535), .jpegBaseline)
        }
        #expect(error.kind == .frameTooLarge)
    }

    @Test("Corrupt Huffman tables, a truncated codestream and garbage are errors",
          arguments: ["huffman", "truncated", "garbage", "empty"])
    func damaged(_ damage: String) throws {
        var codestream = try Self.jpeg()
        switch damage {
        case "huffman":
            let dht = try #require((0..<codestream.count - 1).first { codestream[$0] == 0xFF && codestream[$0 + 1] == 0xC4 })
            for offset in dht + 5..<dht + 21 { codestream[offset] = 0xFF }
        case "truncated": codestream = Array(codestream.prefix(codestream.count / 3))
        case "garbage": codestream = (0..<200).map { UInt8(($0 * 37) % 256) }
        default: codestream = []
        }
        #expect(throws: ImagingError.self) { try decodeAll(Self.jpegDataSet(codestream), .jpegBaseline) }
    }

    /// The libFuzzer finding kept in Fuzz/findings/jpegls (after its 7-byte frame description):
    /// a 10×45 8-bit JPEG-LS frame whose scan data stops after about 30 bytes with no marker.
    /// CharLS 2.4.1 alone spins on it for minutes; the decoder gives it an EOI to meet, so it
    /// fails at once.
    static let truncatedJPEGLSScan: [UInt8] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x2D, 0x00, 0x0A, 0x01, 0x01, 0x11, 0x00, 0xFF,
        0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x57, 0xFD, 0xFF, 0x7F, 0x00, 0x00, 0x00,
        0x71, 0xFF, 0x7F, 0xE0, 0xB7, 0xFF, 0x7C, 0x1C, 0xFF, 0x7F, 0x05, 0x2F, 0xFB, 0xE0, 0x97, 0xFF,
        0x7F, 0xC1, 0x55, 0x49, 0x00, 0x2D, 0x00, 0x0A,
    ]

    @Test("A JPEG-LS scan cut short without a marker after it is an error, not minutes of CPU in CharLS",
          arguments: [0, 1])
    func truncatedJPEGLSScan(padding: Int) throws {
        let codestream = Self.truncatedJPEGLSScan + [UInt8](repeating: 0, count: padding)
        let dataSet = try Self.jpegDataSet(codestream, rows: 45, columns: 10)
        let error = try #require(throws: ImagingError.self) { try decodeAll(dataSet, .jpegLSLossless) }
        #expect(error.kind == .corruptCodestream)
        #expect(error.message.contains("JPEG-LS"))
    }
}
