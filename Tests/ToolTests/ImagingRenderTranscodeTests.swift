import DICOMCore
import DICOMImaging
import DICOMSynthetic
import Foundation
import Testing

/// Rendering compared with DCMTK's dcm2pnm at the same window, our PNG read back by an
/// independent decoder, and transcoding checked with dcmdump and DCMTK's own decompression.
@Suite("Rendering against dcm2pnm, transcoding against DCMTK", .serialized)
struct ImagingRenderTranscodeTests {
    /// The 8-bit samples of a binary PGM (P5) or PPM (P6) as dcm2pnm writes them.
    static func pnmSamples(_ url: URL) throws -> (width: Int, height: Int, samples: Int, pixels: [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: url))
        var fields: [String] = []
        var position = 0
        while fields.count < 4 {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A { position += 1 }
            let start = position
            while position < bytes.count, bytes[position] != 0x20, bytes[position] != 0x0A { position += 1 }
            fields.append(String(decoding: bytes[start..<position], as: UTF8.self))
        }
        let samples = fields[0] == "P6" ? 3 : 1
        let width = try #require(Int(fields[1])), height = try #require(Int(fields[2]))
        return (width, height, samples, Array(bytes[(position + 1)...]))
    }

    struct RenderCase: Sendable, CustomStringConvertible {
        let file: String
        /// dcm2pnm's window options; ours follows from them.
        let dcm2pnm: [String]
        let window: Window?
        var decompressor: String? = nil
        var description: String { "\(file) \(dcm2pnm.joined(separator: " "))" }
    }

    static let renderCases: [RenderCase] = [
        RenderCase(file: "MR_small.dcm", dcm2pnm: ["+Ww", "600", "1200"], window: Window(center: 600, width: 1200)),
        RenderCase(file: "CT_small.dcm", dcm2pnm: ["+Ww", "40", "400"], window: Window(center: 40, width: 400)),
        RenderCase(file: "CT_small.dcm", dcm2pnm: ["+Wm"], window: nil),
        RenderCase(file: "MR_small_jpeg_ls_lossless.dcm", dcm2pnm: ["+Ww", "900", "1500"], window: Window(center: 900, width: 1500),
                   decompressor: "dcmdjpls"),
        RenderCase(file: "JPEG2000.dcm", dcm2pnm: ["+Ww", "1000", "3000"], window: Window(center: 1000, width: 3000),
                   decompressor: "gdcmconv"),
        RenderCase(file: "MR_small_RLE.dcm", dcm2pnm: ["+Ww", "600", "1200"], window: Window(center: 600, width: 1200)),
        RenderCase(file: "rtdose_rle.dcm", dcm2pnm: ["+Ww", "1000000", "2000000"], window: Window(center: 1_000_000, width: 2_000_000)),
        RenderCase(file: "SC_rgb_rle_16bit.dcm", dcm2pnm: [], window: nil),
        RenderCase(file: "examples_palette.dcm", dcm2pnm: [], window: nil),
        RenderCase(file: "SC_ybr_full_422_uncompressed.dcm", dcm2pnm: [], window: nil),
        RenderCase(file: "SC_rgb_jpeg_dcmtk.dcm", dcm2pnm: [], window: nil, decompressor: "dcmdjpeg"),
    ]

    @Test("Rendered frames equal dcm2pnm's within one grey level", arguments: renderCases)
    func renderedAgainstDcm2pnm(_ testCase: RenderCase) async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try ImagingReferenceTests.pydicomTestFile(testCase.file)
        // dcm2pnm reads native pixel data: compressed sources are decompressed by DCMTK (JPEG
        // with its default conversion to RGB) or GDCM (JPEG 2000) first.
        var native = source
        if let decompressor = testCase.decompressor {
            native = directory.appendingPathComponent("native.dcm")
            let options = decompressor == "gdcmconv" ? ["--raw"] : []
            let decompressed = try await ExternalTool.runOffPool(decompressor, options + [source.path, native.path])
            try #require(decompressed.status == 0, "\(decompressor): \(decompressed.stderr)")
        }
        let output = directory.appendingPathComponent("reference.pnm")
        let run = try await ExternalTool.runOffPool("dcm2pnm", testCase.dcm2pnm + [native.path, output.path])
        try #require(run.status == 0, "dcm2pnm: \(run.stderr)")
        let reference = try Self.pnmSamples(output)
        let ours = try DICOMImage(path: source.path).rendered(frame: 0, window: testCase.window)
        #expect(ours.width == reference.width && ours.height == reference.height && ours.samplesPerPixel == reference.samples)
        let worst = zip(ours.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(ours.pixels.count == reference.pixels.count && worst <= 1, "largest difference \(worst)")
    }

    @Test("MONOCHROME1 renders inverted, as dcm2pnm does")
    func monochrome1() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("mono1.dcm")
        try FileManager.default.copyItem(at: ImagingReferenceTests.pydicomTestFile("MR_small.dcm"), to: source)
        let modify = try await ExternalTool.runOffPool("dcmodify", ["-nb", "-m", "(0028,0004)=MONOCHROME1", source.path])
        try #require(modify.status == 0, "\(modify.stderr)")
        let output = directory.appendingPathComponent("reference.pnm")
        let run = try await ExternalTool.runOffPool("dcm2pnm", ["+Ww", "600", "1200", source.path, output.path])
        try #require(run.status == 0, "dcm2pnm: \(run.stderr)")
        let ours = try DICOMImage(path: source.path).rendered(frame: 0, window: Window(center: 600, width: 1200))
        let reference = try Self.pnmSamples(output).pixels
        let worst = zip(ours.pixels, reference).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(ours.pixels.count == reference.count && worst <= 1, "largest difference \(worst)")
    }

    @Test("PNG output decodes, with Python's zlib, to the rendered pixels")
    func pngReadBack() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in ["CT_small.dcm", "SC_rgb_rle.dcm"] {
            let image = try DICOMImage(path: ImagingReferenceTests.pydicomTestFile(file).path).rendered(frame: 0)
            let png = directory.appendingPathComponent("out.png"), raw = directory.appendingPathComponent("out.raw")
            try Data(try image.pngData()).write(to: png)
            let run = try await ExternalTool.runOffPool("python3", ["-c", Self.pngReader, png.path, raw.path])
            try #require(run.status == 0, "\(run.stderr)")
            #expect([UInt8](try Data(contentsOf: raw)) == image.pixels, "\(file)")
        }
    }

    /// A minimal PNG reader (8-bit, no interlace, all five filter types), independent of ours.
    static let pngReader = """
    import sys, struct, zlib
    data = open(sys.argv[1], 'rb').read()
    assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b'IHDR': width, height, depth, colour = struct.unpack('>IIBB', body[:10])
        if kind == b'IDAT': idat += body
        pos += 12 + length
    bpp = 3 if colour == 2 else 1
    raw, out, prev = zlib.decompress(idat), bytearray(), bytearray(width * bpp)
    stride = width * bpp
    for row in range(height):
        f, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pred = [0, a, b, (a + b) // 2, a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)][f]
            line[i] = (line[i] + pred) & 0xFF
        out += line
        prev = line
    open(sys.argv[2], 'wb').write(out)
    """

    @Test("JPEG-LS multi-frame MR transcoded to Explicit VR LE: dcmdump agrees, pixels equal dcmdjpls's")
    func transcodeJPEGLS() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try SyntheticStudy(StudySpecification(modality: .MR, instancesPerSeries: 1,
                                                             instanceSize: 3 * 64 * 64 * 2, framesPerInstance: 3))
            .write(to: directory.appendingPathComponent("original"))[0]
        let compressed = directory.appendingPathComponent("jls.dcm")
        let reference = directory.appendingPathComponent("dcmdjpls.dcm")
        try #require(try await ExternalTool.runOffPool("dcmcjpls", [original.path, compressed.path]).status == 0)
        try #require(try await ExternalTool.runOffPool("dcmdjpls", [compressed.path, reference.path]).status == 0)

        for target in Transcoder.nativeTargets {
            let transcoded = directory.appendingPathComponent("ours.dcm")
            let file = try Transcoder.transcode(try DICOMImage(path: compressed.path), to: target)
            try Data(try file.encoded()).write(to: transcoded)
            let dump = try await ExternalTool.runOffPool("dcmdump", ["-q", "+P", "0002,0010", transcoded.path]).stdout
            #expect(dump.contains(target == .explicitVRLittleEndian ? "=LittleEndianExplicit" : "=LittleEndianImplicit"))
            let ours = try ImagingReferenceTests.decodedFrames(transcoded)
            ImagingReferenceTests.expectEqual(ours, try ImagingReferenceTests.decodedFrames(reference), "transcoded vs dcmdjpls")
            // Everything but the pixel data and the meta header is what the compressed file had.
            let withoutPixels = { (url: URL) async throws -> String in
                try await ExternalTool.runOffPool("dcmdump", ["-q", url.path]).stdout.split(separator: "\n")
                    .filter { !$0.hasPrefix("#") && !$0.hasPrefix("(0002,") && !$0.contains("(7fe0,0010)") && !$0.contains("(fffe,") }
                    .joined(separator: "\n")
            }
            let (a, b) = (try await withoutPixels(transcoded), try await withoutPixels(compressed))
            #expect(a == b, "\(Set(a.split(separator: "\n")).symmetricDifference(b.split(separator: "\n")))")
        }
    }

    @Test("A lossy JPEG source keeps its Lossy Image Compression attributes, or gains them")
    func lossyAttributes() throws {
        let source = try ImagingReferenceTests.pydicomTestFile("JPGExtended.dcm")
        var file = try DICOMFile(path: source.path)
        let kept = try Transcoder.transcode(try DICOMImage(file: file), to: .explicitVRLittleEndian)
        #expect(kept.transferSyntax == .explicitVRLittleEndian)
        for tag in [Tag.lossyImageCompression, .lossyImageCompressionRatio, .lossyImageCompressionMethod] {
            #expect(kept.dataSet[tag] == file.dataSet[tag])
        }
        file.dataSet.remove(.lossyImageCompression)
        file.dataSet.remove(.lossyImageCompressionMethod)
        let gained = try Transcoder.transcode(try DICOMImage(file: file), to: .explicitVRLittleEndian)
        #expect(gained.dataSet.string(.lossyImageCompression) == "01")
        #expect(gained.dataSet.string(.lossyImageCompressionMethod) == "ISO_10918_1")
    }
}
