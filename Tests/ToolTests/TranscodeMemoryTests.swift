import DICOMCore
import DICOMImaging
import DICOMSynthetic
import Foundation
import Testing

/// The Transcoder streams: a 3,000-frame enhanced-MR-sized object transcodes with memory for a
/// few frames, not for the object.
@Suite("Transcoding memory", .serialized)
struct TranscodeMemoryTests {
    static let frames = 3_000, frameBytes = 256 * 256 * 2

    /// A `frames`-frame 256×256 16-bit MR, compressed by DCMTK's dcmcjpls, as `mr-jls.dcm` in `directory`.
    static func jpegLSMR(in directory: URL) async throws -> URL {
        let original = try await BlockingWork.run {
            try SyntheticStudy(StudySpecification(modality: .MR, seriesCount: 1, instancesPerSeries: 1,
                                                  instanceSize: frames * frameBytes, framesPerInstance: frames))
                .write(to: directory.appendingPathComponent("original"))[0]
        }
        let compressed = directory.appendingPathComponent("mr-jls.dcm")
        let compression = try await ExternalTool.runOffPool("dcmcjpls", [original.path, compressed.path])
        try #require(compression.status == 0, "dcmcjpls: \(compression.stderr)")
        try FileManager.default.removeItem(at: original)
        return compressed
    }

    @Test("dcmimage transcodes a 3,000-frame JPEG-LS MR (375 MiB decoded) with a peak RSS under 64 MiB")
    func threeThousandFrames() async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = Self.frames, frameBytes = Self.frameBytes
        let compressed = try await Self.jpegLSMR(in: directory)

        let out = directory.appendingPathComponent("out"), timing = directory.appendingPathComponent("time.txt")
        let dcmimage = ToolRunner.productsDirectory.appendingPathComponent("dcmimage").path
        let run = try await BlockingWork.run {
            try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/time"),
                                   ["-f", "%M", "-o", timing.path, dcmimage, "transcode", "--out", out.path, compressed.path])
        }
        try #require(run.status == 0, "dcmimage: \(run.stderr)")
        let kilobytes = try #require(Int(try String(contentsOf: timing, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? ""))
        let transcoded = out.appendingPathComponent("mr-jls.dcm")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: transcoded.path)[.size] as? Int)
        let compressedSize = try #require(try FileManager.default.attributesOfItem(atPath: compressed.path)[.size] as? Int)
        print("3,000-frame JPEG-LS MR: \(compressedSize >> 20) MiB stored, \(size >> 20) MiB transcoded, "
              + "dcmimage peak RSS \(kilobytes >> 10) MiB")
        #expect(size > frames * frameBytes)
        #expect(kilobytes < 64 << 10, "peak RSS \(kilobytes >> 10) MiB")
        // Every frame is there and decodes as the stored one does (first, middle, last checked).
        let ours = try DICOMImage(path: transcoded.path), stored = try DICOMImage(path: compressed.path)
        #expect(ours.frameCount == frames)
        #expect(try DICOMFile(path: transcoded.path, options: .headerOnly).transferSyntax == .explicitVRLittleEndian)
        for index in [0, frames / 2, frames - 1] {
            #expect(try ours.decodedFrame(index).bytes == stored.decodedFrame(index).bytes, "frame \(index + 1)")
        }
    }
}
