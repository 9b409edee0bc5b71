import CImagingCodecs
import CZlib
import Foundation

extension RenderedImage {
    /// PNG (ISO/IEC 15948), 8-bit greyscale or RGB, lossless. Each row uses the Sub filter,
    /// which suits medical images' smooth gradients, then zlib at its fastest level: a viewer
    /// waits on this, and the default level took most of the time per frame for little size.
    public func pngData() throws -> [UInt8] {
        let stride = width * samplesPerPixel
        var filtered = [UInt8](repeating: 0, count: (stride + 1) * height)
        pixels.withUnsafeBufferPointer { input in
            filtered.withUnsafeMutableBufferPointer { out in
                for row in 0..<height {
                    let from = row * stride, to = row * (stride + 1)
                    out[to] = 1  // filter type Sub
                    for column in 0..<stride {
                        let left = column >= samplesPerPixel ? input[from + column - samplesPerPixel] : 0
                        out[to + 1 + column] = input[from + column] &- left
                    }
                }
            }
        }
        var compressedLength = compressBound(uLong(filtered.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&compressed, &compressedLength, filtered, uLong(filtered.count), Z_BEST_SPEED)
        guard status == Z_OK else { throw ImagingError(.unsupported, "zlib failed to compress the PNG (\(status))") }
        compressed.removeSubrange(Int(compressedLength)...)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height))
        header += [8, samplesPerPixel == 3 ? 2 : 0, 0, 0, 0]  // depth, colour type, deflate, filtering, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", compressed, to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// Baseline JPEG at `quality` (1–100), through libjpeg.
    public func jpegData(quality: Int = 90) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = tandem_jpeg_encode(pixels, UInt32(width), UInt32(height), Int32(samplesPerPixel),
                                        Int32(min(max(quality, 1), 100)), &output, &length, &message, message.count)
        defer { free(output) }
        guard status == TANDEM_CODEC_OK, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImagingError(.unsupported, "JPEG encoding failed: \(reason)")
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// A copy no larger than `maximumSize` on either side, aspect ratio kept, each output pixel
    /// the mean of the source area it covers (area averaging: no aliasing, unlike sampling).
    public func thumbnail(maximumSize: Int) -> RenderedImage {
        let scale = min(1, Double(maximumSize) / Double(max(width, height)))
        let outWidth = max(1, Int((Double(width) * scale).rounded()))
        let outHeight = max(1, Int((Double(height) * scale).rounded()))
        if outWidth == width && outHeight == height { return self }
        let samples = samplesPerPixel
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * samples)
        var sums = [Int](repeating: 0, count: samples)
        for y in 0..<outHeight {
            let top = y * height / outHeight, bottom = max(top + 1, (y + 1) * height / outHeight)
            for x in 0..<outWidth {
                let left = x * width / outWidth, right = max(left + 1, (x + 1) * width / outWidth)
                for sample in 0..<samples { sums[sample] = 0 }
                for row in top..<bottom {
                    for column in left..<right {
                        let base = (row * width + column) * samples
                        for sample in 0..<samples { sums[sample] += Int(pixels[base + sample]) }
                    }
                }
                let area = (bottom - top) * (right - left)
                for sample in 0..<samples {
                    output[(y * outWidth + x) * samples + sample] = UInt8((sums[sample] + area / 2) / area)
                }
            }
        }
        return RenderedImage(width: outWidth, height: outHeight, samplesPerPixel: samples, pixels: output)
    }
}

private func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

private func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
    let typeBytes = Array(type.utf8)
    png += bigEndian32(UInt32(data.count)) + typeBytes + data
    var crc = crc32(0, typeBytes, uInt(typeBytes.count))
    crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
    png += bigEndian32(UInt32(crc))
}

/// An output format for rendered images (WADO-RS `/rendered` media types).
public enum RenderedFormat: Hashable, Sendable {
    case png
    case jpeg(quality: Int)

    public var fileExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        }
    }
}

extension RenderedImage {
    public func encoded(as format: RenderedFormat) throws -> [UInt8] {
        switch format {
        case .png: return try pngData()
        case .jpeg(let quality): return try jpegData(quality: quality)
        }
    }
}
