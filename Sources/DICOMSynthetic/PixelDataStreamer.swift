import DICOMCore
import Foundation

/// Writes an instance's file: the header through DICOMCore's Part 10 writer, then Pixel Data
/// (7FE0,0010) OW frame by frame, so a gigabyte-sized multi-frame instance never sits in memory.
struct PixelDataStreamer {
    let specification: StudySpecification
    let sliceIndex: Int

    func writeFile(header: DataSet, to url: URL) throws {
        let syntax = specification.transferSyntax
        let shape = specification.frameShape
        let frames = specification.framesPerInstance
        if syntax.isDeflated || frames == 1 {
            // Small enough to encode whole; the deflated syntax must compress pixel data too.
            var dataSet = header
            var pixels: [UInt8] = []
            for frame in 0..<frames { pixels += frameBytes(frame: frame, shape: shape, bigEndian: false) }
            try dataSet.set(.pixelData, vr: .OW, bytes: pixels)
            let file = try DICOMFile(dataSet: dataSet, transferSyntax: syntax)
            try Data(try file.encoded()).write(to: url)
            return
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: try DICOMFile(dataSet: header, transferSyntax: syntax).encoded())
        let length = UInt32(shape.rows * shape.columns * 2 * frames)
        try handle.write(contentsOf: pixelDataHeader(length: length, syntax: syntax))
        if specification.blankPixelData {  // zeros, as a hole: nothing to compute or write
            try handle.truncate(atOffset: try handle.offset() + UInt64(length))
            return
        }
        for frame in 0..<frames {
            try handle.write(contentsOf: frameBytes(frame: frame, shape: shape, bigEndian: syntax.isBigEndian))
        }
    }

    /// The element header of Pixel Data with a defined length (PS3.5 §7.1.2, §7.1.3).
    func pixelDataHeader(length: UInt32, syntax: TransferSyntax) -> [UInt8] {
        func bytes16(_ value: UInt16) -> [UInt8] {
            syntax.isBigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        func bytes32(_ value: UInt32) -> [UInt8] {
            let little = (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
            return syntax.isBigEndian ? little.reversed() : little
        }
        let tag = bytes16(0x7FE0) + bytes16(0x0010)
        return syntax.isExplicitVR ? tag + Array("OW".utf8) + [0, 0] + bytes32(length) : tag + bytes32(length)
    }

    /// One 16-bit frame: a disc whose radius changes with the slice over a textured background,
    /// 12 bits stored, so viewers and codecs see something image-like.
    func frameBytes(frame: Int, shape: (rows: Int, columns: Int), bigEndian: Bool) -> [UInt8] {
        let slice = sliceIndex + frame
        let centreY = shape.rows / 2, centreX = shape.columns / 2
        let radius = min(shape.rows, shape.columns) / 3 + (slice % 16) - 8
        var bytes = [UInt8](repeating: 0, count: shape.rows * shape.columns * 2)
        var offset = 0
        for y in 0..<shape.rows {
            let dy = y - centreY
            for x in 0..<shape.columns {
                let dx = x - centreX
                let inside = dx * dx + dy * dy < radius * radius
                let value = UInt16(((x ^ y) & 0x3F) + (inside ? 1_100 : 24) + (slice & 0xFF))
                bytes[offset] = UInt8(bigEndian ? value >> 8 : value & 0xFF)
                bytes[offset + 1] = UInt8(bigEndian ? value & 0xFF : value >> 8)
                offset += 2
            }
        }
        return bytes
    }
}
