import DICOMCore
import DICOMImaging
import Foundation
import Testing

/// High-Throughput JPEG 2000 (1.2.840.10008.1.2.4.201–203), which neither DCMTK nor GDCM decode
/// in their Debian builds: codestreams made by OpenJPH's ojph_compress, decoded by us (OpenJPEG),
/// compared with the original samples (reversible) and with ojph_expand (both).
@Suite("HTJ2K decoding against OpenJPH", .serialized)
struct HTJ2KDecodingTests {
    struct Sample: Sendable, CustomStringConvertible {
        let samples: Int
        let maximum: Int
        let reversible: Bool
        var description: String { "\(samples == 3 ? "RGB" : "grey") up to \(maximum), \(reversible ? "reversible" : "irreversible")" }
    }

    static let cases = [
        Sample(samples: 1, maximum: 4095, reversible: true), Sample(samples: 3, maximum: 255, reversible: true),
        Sample(samples: 1, maximum: 4095, reversible: false),
    ]

    /// A binary PGM/PPM (16-bit samples big endian when the maximum exceeds 255).
    static func pnm(width: Int, height: Int, samples: Int, maximum: Int, values: [Int]) -> [UInt8] {
        let header = Array("\(samples == 3 ? "P6" : "P5")\n\(width) \(height)\n\(maximum)\n".utf8)
        return header + values.flatMap { maximum > 255 ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0)] }
    }

    static func pnmValues(_ bytes: [UInt8], maximum: Int) -> [Int] {
        var newlines = 0, start = 0
        while newlines < 3 { if bytes[start] == 0x0A { newlines += 1 }; start += 1 }
        let body = Array(bytes[start...])
        return maximum > 255 ? stride(from: 0, to: body.count, by: 2).map { Int(body[$0]) << 8 | Int(body[$0 + 1]) }
                             : body.map(Int.init)
    }

    @Test("HTJ2K codestreams decode to ojph_expand's samples", arguments: cases)
    func htj2k(_ sample: Sample) async throws {
        let directory = try ImagingReferenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (width, height) = (48, 36)
        let values = (0..<width * height * sample.samples).map { ($0 * 97 + ($0 / width) * 31) % (sample.maximum + 1) }
        let extensionName = sample.samples == 3 ? "ppm" : "pgm"
        let input = directory.appendingPathComponent("in.\(extensionName)")
        let codestream = directory.appendingPathComponent("out.j2c")
        let expanded = directory.appendingPathComponent("expanded.\(extensionName)")
        try Data(Self.pnm(width: width, height: height, samples: sample.samples, maximum: sample.maximum,
                          values: values)).write(to: input)
        let options = sample.reversible ? ["-reversible", "true"] : ["-qstep", "0.01"]
        let compress = try await ExternalTool.runOffPool("ojph_compress", ["-i", input.path, "-o", codestream.path] + options)
        try #require(compress.status == 0, "\(compress.stderr)")
        let expand = try await ExternalTool.runOffPool("ojph_expand", ["-i", codestream.path, "-o", expanded.path])
        try #require(expand.status == 0, "\(expand.stderr)")

        var dataSet = DataSet()
        try dataSet.set(.sopClassUID, vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try dataSet.set(.sopInstanceUID, vr: .UI, string: "2.25.42")
        try dataSet.set(.samplesPerPixel, vr: .US, int: sample.samples)
        try dataSet.set(.photometricInterpretation, vr: .CS, string: sample.samples == 3 ? "YBR_RCT" : "MONOCHROME2")
        try dataSet.set(.rows, vr: .US, int: height)
        try dataSet.set(.columns, vr: .US, int: width)
        let bits = sample.maximum > 255 ? 16 : 8
        try dataSet.set(.bitsAllocated, vr: .US, int: bits)
        try dataSet.set(.bitsStored, vr: .US, int: sample.maximum > 255 ? 12 : 8)
        try dataSet.set(.highBit, vr: .US, int: sample.maximum > 255 ? 11 : 7)
        try dataSet.set(.pixelRepresentation, vr: .US, int: 0)
        if sample.samples == 3 { try dataSet.set(.planarConfiguration, vr: .US, int: 0) }
        let fragment = [UInt8](try Data(contentsOf: codestream))
        dataSet.insert(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(EncapsulatedPixelData(
            fragments: [.bytes(fragment.count % 2 == 1 ? fragment + [0] : fragment)])), hasUndefinedLength: true))
        let syntax: TransferSyntax = sample.reversible ? .htj2kLossless : .htj2k
        let image = try DICOMImage(file: DICOMFile(dataSet: dataSet, transferSyntax: syntax))
        let frame = try image.decodedFrame(0)
        let decoded = frame.sampleValues().map(Int.init)
        let reference = Self.pnmValues([UInt8](try Data(contentsOf: expanded)), maximum: sample.maximum)
        if sample.reversible {
            #expect(decoded == values)
            #expect(decoded == reference)
        } else {
            // Two 9/7 wavelet implementations round differently.
            let worst = zip(decoded, reference).map { abs($0 - $1) }.max() ?? .max
            #expect(decoded.count == reference.count && worst <= 1, "largest difference \(worst)")
        }
        if sample.samples == 3 { #expect(frame.description.photometricInterpretation == .rgb) }
    }
}
