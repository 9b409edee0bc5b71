import DICOMCore
import Foundation

/// Secondary Capture colour images in the forms a viewer must show beyond 8-bit interleaved RGB
/// (PS3.3 C.7.6.3.1.2): YBR_FULL, YBR_FULL_422 as stored uncompressed, PALETTE COLOR with 16-bit
/// palette entries, and RGB with Planar Configuration 1 — one series each, two images of
/// 64 × 48 with gradients in every channel, written as Explicit VR Little Endian Part 10 files.
enum ColourSeriesFixture {
    enum Form: String, CaseIterable {
        case ybrFull = "YBR_FULL"
        case ybrFull422 = "YBR_FULL_422"
        case palette = "PALETTE COLOR"
        case rgbPlanar = "RGB planar"
    }

    static let rows = 48, columns = 64

    /// Writes every form's series of one study into `directory`; returns the study UID, each
    /// form's series UID and the files.
    static func write(to directory: URL) throws -> (study: String, series: [Form: String], files: [URL]) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let root = "2.25.\(UInt64.random(in: 1...UInt64.max))"
        let study = root + ".1"
        var series: [Form: String] = [:], files: [URL] = []
        for (number, form) in Form.allCases.enumerated() {
            let seriesUID = root + ".2.\(number + 1)"
            series[form] = seriesUID
            for image in 1...2 {
                var dataSet = try header(study: study, series: seriesUID, number: number + 1, image: image, form: form)
                try pixelModule(form, image: image, into: &dataSet)
                let file = directory.appendingPathComponent("\(number)-\(image).dcm")
                try Data(DICOMFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian).encoded()).write(to: file)
                files.append(file)
            }
        }
        return (study, series, files)
    }

    private static func header(study: String, series: String, number: Int, image: Int, form: Form) throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(.sopClassUID, vr: .UI, string: "1.2.840.10008.5.1.4.1.1.7")
        try dataSet.set(.sopInstanceUID, vr: .UI, string: "\(series).\(image)")
        try dataSet.set(.studyInstanceUID, vr: .UI, string: study)
        try dataSet.set(.seriesInstanceUID, vr: .UI, string: series)
        try dataSet.set(.patientName, vr: .PN, string: "Colour^Test")
        try dataSet.set(.patientID, vr: .LO, string: "COLOUR-1")
        try dataSet.set(.modality, vr: .CS, string: "OT")
        try dataSet.set(.seriesNumber, vr: .IS, int: number)
        try dataSet.set(.seriesDescription, vr: .LO, string: form.rawValue)
        try dataSet.set(.instanceNumber, vr: .IS, int: image)
        return dataSet
    }

    /// A colour at each pixel: red along the columns, green along the rows, blue by image.
    private static func rgb(_ row: Int, _ column: Int, image: Int) -> [Int] {
        [column * 255 / (columns - 1), row * 255 / (rows - 1), (row + column + 60 * image) % 256]
    }

    /// RGB to YBR_FULL (PS3.3 C.7.6.3.1.2).
    private static func ybr(_ rgb: [Int]) -> [UInt8] {
        let (r, g, b) = (Double(rgb[0]), Double(rgb[1]), Double(rgb[2]))
        let y = 0.299 * r + 0.587 * g + 0.114 * b
        let cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
        let cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
        return [y, cb, cr].map { UInt8(min(max($0.rounded(), 0), 255)) }
    }

    private static func pixelModule(_ form: Form, image: Int, into dataSet: inout DataSet) throws {
        let pixels = (0..<rows).flatMap { row in (0..<columns).map { column in rgb(row, column, image: image) } }
        var samples = 3, photometric = form.rawValue, planar: Int? = 0
        let bytes: [UInt8]
        switch form {
        case .ybrFull:
            bytes = pixels.flatMap(ybr)
        case .ybrFull422:
            // Per two pixels of a row: Y of each, then the pair's Cb and Cr (their mean).
            bytes = stride(from: 0, to: pixels.count, by: 2).flatMap { index -> [UInt8] in
                let (a, b) = (ybr(pixels[index]), ybr(pixels[index + 1]))
                return [a[0], b[0], UInt8((Int(a[1]) + Int(b[1])) / 2), UInt8((Int(a[2]) + Int(b[2])) / 2)]
            }
        case .palette:
            (samples, planar) = (1, nil)
            bytes = (0..<rows).flatMap { row in (0..<columns).map { column in UInt8((row * 4 + column + image * 7) % 256) } }
            // 256 entries of 16 bits, first mapped value 0 (PS3.3 C.7.6.3.1.5).
            let channels: [(Tag, Tag, (Int) -> Int)] = [
                (.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData, { $0 * 257 }),
                (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, { (255 - $0) * 257 }),
                (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, { ($0 * 3 % 256) * 257 }),
            ]
            for (descriptor, data, entry) in channels {
                try dataSet.set(descriptor, vr: .US, ints: [256, 0, 16])
                try dataSet.set(data, vr: .OW, bytes: (0..<256).flatMap { index -> [UInt8] in
                    let value = entry(index)
                    return [UInt8(value & 0xFF), UInt8(value >> 8)]
                })
            }
        case .rgbPlanar:
            (photometric, planar) = ("RGB", 1)
            bytes = (0..<3).flatMap { channel in pixels.map { UInt8($0[channel]) } }
        }
        try dataSet.set(.samplesPerPixel, vr: .US, int: samples)
        try dataSet.set(.photometricInterpretation, vr: .CS, string: photometric)
        if let planar { try dataSet.set(.planarConfiguration, vr: .US, int: planar) }
        try dataSet.set(.rows, vr: .US, int: rows)
        try dataSet.set(.columns, vr: .US, int: columns)
        try dataSet.set(.bitsAllocated, vr: .US, int: 8)
        try dataSet.set(.bitsStored, vr: .US, int: 8)
        try dataSet.set(.highBit, vr: .US, int: 7)
        try dataSet.set(.pixelRepresentation, vr: .US, int: 0)
        try dataSet.set(.pixelData, vr: .OB, bytes: bytes)
    }
}
