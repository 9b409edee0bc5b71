import DICOMCore
import DICOMImaging
import Foundation
import Testing

@Suite("dcmimage", .serialized)
struct ImageToolTests {
    @Test("render writes a PNG per file; a file without pixels is reported and the exit code says so")
    func render() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let image = try ImagingReferenceTests.pydicomTestFile("MR_small_RLE.dcm").path
        let noPixels = try ImagingReferenceTests.pydicomTestFile("rtplan.dcm").path
        let out = directory.appendingPathComponent("png").path
        let both = try await BlockingWork.run { try ToolRunner.run("dcmimage", ["render", "--out", out, "--window", "600,1200", image, noPixels]) }
        #expect(both.status == 1)
        #expect(both.stderr.contains("rtplan.dcm"))
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("MR_small_RLE.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let none = try await BlockingWork.run { try ToolRunner.run("dcmimage", ["render", "--out", out, noPixels]) }
        #expect(none.status == 65)
        let usage = try await BlockingWork.run { try ToolRunner.run("dcmimage", ["render", "--out", out, "--window", "40", image]) }
        #expect(usage.status == 64)
    }

    @Test("transcode rewrites a JPEG 2000 file in Implicit VR Little Endian with the decoded pixels")
    func transcode() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try ImagingReferenceTests.pydicomTestFile("MR_small_jp2klossless.dcm")
        let run = try await BlockingWork.run {
            try ToolRunner.run("dcmimage", ["transcode", "--out", directory.path, "--to", "implicit-le", source.path])
        }
        #expect(run.status == 0, "\(run.stderr)")
        let output = directory.appendingPathComponent("MR_small_jp2klossless.dcm")
        #expect(try DICOMFile(path: output.path).transferSyntax == .implicitVRLittleEndian)
        ImagingReferenceTests.expectEqual(try ImagingReferenceTests.decodedFrames(output),
                                          try ImagingReferenceTests.decodedFrames(source), "transcoded vs source")
    }
}
