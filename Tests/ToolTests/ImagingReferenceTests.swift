import DICOMCore
import DICOMImaging
import DICOMSynthetic
import Foundation
import Testing

/// Decoding checked against the reference decoders: every frame our pipeline decodes must equal,
/// sample for sample, what DCMTK (dcmdjpeg, dcmdjpls, dcmdrle) and GDCM (gdcmconv --raw) write
/// when they decompress the same file. Inputs: the compressed files shipped with pydicom and
/// synthetic MR series compressed here by DCMTK and GDCM.
@Suite("Pixel decoding against DCMTK and GDCM", .serialized)
struct ImagingReferenceTests {
    /// pydicom's compressed test files, each with the reference decoders that read it: DCMTK has
    /// no JPEG 2000 decoder, and GDCM's RLE decoder fails on multi-frame 16- and 32-bit RGB.
    static let pydicomFiles: [(name: String, references: [String])] = [
        ("MR_small_RLE.dcm", ["dcmdrle", "gdcmconv"]), ("SC_rgb_rle.dcm", ["dcmdrle", "gdcmconv"]),
        ("SC_rgb_rle_2frame.dcm", ["dcmdrle", "gdcmconv"]), ("SC_rgb_rle_16bit.dcm", ["dcmdrle"]),
        ("SC_rgb_rle_16bit_2frame.dcm", ["dcmdrle"]), ("SC_rgb_rle_32bit_2frame.dcm", ["dcmdrle"]),
        ("rtdose_rle.dcm", ["dcmdrle", "gdcmconv"]),
        ("MR_small_jpeg_ls_lossless.dcm", ["dcmdjpls", "gdcmconv"]),
        ("JPEGLSNearLossless_08.dcm", ["dcmdjpls", "gdcmconv"]), ("JPEGLSNearLossless_16.dcm", ["dcmdjpls", "gdcmconv"]),
        ("SC_rgb_jls_lossy_line.dcm", ["dcmdjpls", "gdcmconv"]), ("SC_rgb_jls_lossy_sample.dcm", ["dcmdjpls", "gdcmconv"]),
        ("JPEG-lossy.dcm", ["dcmdjpeg", "gdcmconv"]), ("JPGExtended.dcm", ["dcmdjpeg", "gdcmconv"]),
        ("SC_rgb_jpeg_gdcm.dcm", ["dcmdjpeg", "gdcmconv"]), ("SC_rgb_jpeg_dcmtk.dcm", ["dcmdjpeg", "gdcmconv"]),
        ("SC_rgb_dcmtk_+eb+cr.dcm", ["dcmdjpeg", "gdcmconv"]), ("SC_rgb_dcmtk_+eb+cy+s2.dcm", ["dcmdjpeg", "gdcmconv"]),
        ("SC_rgb_jpeg_lossy_gdcm.dcm", ["dcmdjpeg", "gdcmconv"]), ("examples_ybr_color.dcm", ["dcmdjpeg", "gdcmconv"]),
        ("MR_small_jp2klossless.dcm", ["gdcmconv"]), ("JPEG2000.dcm", ["gdcmconv"]), ("examples_jpeg2k.dcm", ["gdcmconv"]),
        ("SC_rgb_gdcm_KY.dcm", ["gdcmconv"]), ("GDCMJ2K_TextGBR.dcm", ["gdcmconv"]),
    ]

    static func pydicomTestFile(_ name: String) throws -> URL {
        // The python3 on PATH, where scripts/install-deps.sh installs pydicom.
        let run = try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", "-c", "import os, pydicom; print(os.path.dirname(pydicom.__file__))"])
        let directory = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard run.status == 0, !directory.isEmpty else { throw ExternalTool.Failure("pydicom is not installed") }
        return URL(fileURLWithPath: directory).appendingPathComponent("data/test_files/\(name)")
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every frame, interleaved, as our pipeline decodes it.
    static func decodedFrames(_ url: URL) throws -> [DecodedFrame] {
        let image = try DICOMImage(path: url.path)
        return try (0..<image.frameCount).map { try image.decodedFrame($0).interleaved() }
    }

    /// Decompresses `source` with a reference tool into a new file and returns its frames.
    static func referenceFrames(_ tool: String, _ source: URL, in directory: URL) async throws -> [DecodedFrame] {
        let output = directory.appendingPathComponent("\(tool)-\(source.lastPathComponent)")
        // dcmdjpeg +cn keeps YCbCr as decoded, as GDCM does; its default converts to RGB.
        let options = ["gdcmconv": ["--raw"], "dcmdjpeg": ["+cn"]][tool] ?? []
        let arguments = options + [source.path, output.path]
        let run = try await ExternalTool.runOffPool(tool, arguments)
        guard run.status == 0 else { throw ExternalTool.Failure("\(tool) failed: \(run.stderr)") }
        return try decodedFrames(output)
    }

    static func expectEqual(_ ours: [DecodedFrame], _ reference: [DecodedFrame], _ what: String) {
        #expect(ours.count == reference.count, "\(what): frame count")
        for (index, (mine, theirs)) in zip(ours, reference).enumerated() {
            #expect(mine.description.photometricInterpretation == theirs.description.photometricInterpretation,
                    "\(what) frame \(index + 1): photometric interpretation")
            let differing = zip(mine.bytes, theirs.bytes).filter { $0 != $1 }.count
            #expect(mine.bytes.count == theirs.bytes.count && differing == 0,
                    "\(what) frame \(index + 1): \(differing) bytes differ")
        }
    }

    @Test("pydicom's compressed files decode as DCMTK and GDCM do", arguments: pydicomFiles)
    func pydicomFile(_ file: (name: String, references: [String])) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Self.pydicomTestFile(file.name)
        let ours = try Self.decodedFrames(source)
        for tool in file.references {
            Self.expectEqual(ours, try await Self.referenceFrames(tool, source, in: directory), "\(file.name) vs \(tool)")
        }
    }

    /// How a synthetic MR series is compressed, and which tool decompresses it for reference.
    struct Compression: Sendable, CustomStringConvertible {
        let tool: String
        let arguments: [String]
        let reference: String
        let lossless: Bool
        var description: String { ([tool] + arguments).joined(separator: " ") }
    }

    static let compressions: [Compression] = [
        Compression(tool: "dcmcjpeg", arguments: ["+e1"], reference: "dcmdjpeg", lossless: true),
        Compression(tool: "dcmcjpeg", arguments: ["+ee"], reference: "dcmdjpeg", lossless: false),
        Compression(tool: "dcmcjpls", arguments: [], reference: "dcmdjpls", lossless: true),
        Compression(tool: "dcmcjpls", arguments: ["+en", "+md", "2"], reference: "dcmdjpls", lossless: false),
        Compression(tool: "dcmcrle", arguments: [], reference: "dcmdrle", lossless: true),
        Compression(tool: "gdcmconv", arguments: ["--j2k"], reference: "gdcmconv", lossless: true),
        Compression(tool: "gdcmconv", arguments: ["--j2k", "--lossy", "-q", "40"], reference: "gdcmconv", lossless: false),
    ]

    @Test("Synthetic MR, single- and multi-frame, compressed by DCMTK and GDCM", arguments: compressions)
    func syntheticMR(_ compression: Compression) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let single = try SyntheticStudy(StudySpecification(modality: .MR, instancesPerSeries: 1,
                                                           instanceSize: 96 * 80 * 2 + 1_600))
            .write(to: directory.appendingPathComponent("single"))
        let multi = try SyntheticStudy(StudySpecification(modality: .MR, instancesPerSeries: 1,
                                                          instanceSize: 3 * 64 * 64 * 2, framesPerInstance: 3))
            .write(to: directory.appendingPathComponent("multi"))
        for source in single + multi {
            let compressed = directory.appendingPathComponent("c-\(source.lastPathComponent)")
            let run = try await ExternalTool.runOffPool(compression.tool, compression.arguments + [source.path, compressed.path])
            try #require(run.status == 0, "\(compression): \(run.stderr)")
            let ours = try Self.decodedFrames(compressed)
            if compression.lossless {
                Self.expectEqual(ours, try Self.decodedFrames(source), "\(compression) vs the original")
            }
            Self.expectEqual(ours, try await Self.referenceFrames(compression.reference, compressed, in: directory),
                             "\(compression) vs \(compression.reference)")
        }
    }
}
