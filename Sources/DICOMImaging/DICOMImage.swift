import DICOMCore
import Foundation

/// An image object opened for its pixels: the header in memory, each frame read, decoded and
/// rendered on demand, so a 3,000-frame enhanced MR costs the memory of one frame at a time.
/// This is the entry point for WADO-RS `/frames`, `/rendered`, `/thumbnail` and for transcoding.
public struct DICOMImage: Sendable {
    public let file: DICOMFile
    public let frames: PixelFrames
    public let decoders: FrameDecoders

    /// Values larger than this stay in the file and are read frame by frame.
    static let bulkDataThreshold = 64 * 1024

    /// Opens a Part 10 file. Pixel data is read on demand, every encapsulated fragment included
    /// (a deflated data set, which cannot be sought in, is inflated whole, within the reader's limit).
    public init(path: String, decoders: FrameDecoders = .standard) throws {
        let probe = try DICOMFile(path: path, options: .headerOnly)
        let options = probe.transferSyntax.isDeflated ? ReadOptions.complete
            : ReadOptions(bulkDataThreshold: Self.bulkDataThreshold, fragmentBulkDataThreshold: 0)
        let file = try DICOMFile(path: path, options: options)
        try self.init(file: file, decoders: decoders, bulkData: { try readBytes(path, $0) })
    }

    /// An image from a data set already in memory; `bulkData` reads values left in the input.
    public init(file: DICOMFile, decoders: FrameDecoders = .standard,
                bulkData: PixelFrames.BulkDataLoader? = nil) throws {
        self.file = file
        self.decoders = decoders
        frames = try PixelFrames(dataSet: file.dataSet, transferSyntax: file.transferSyntax, bulkData: bulkData)
    }

    public var dataSet: DataSet { file.dataSet }
    public var frameCount: Int { frames.count }
    public var description: PixelDescription { frames.description }

    /// Native pixels of frame `index` (0-based).
    public func decodedFrame(_ index: Int) throws -> DecodedFrame {
        try decoders.decodeFrame(index, of: frames)
    }

    /// Frame `index` rendered to 8 bits for display (see `FrameRenderer`).
    public func rendered(frame index: Int, window: Window? = nil) throws -> RenderedImage {
        try FrameRenderer(dataSet: dataSet).render(decodedFrame(index), window: window, frame: index)
    }
}

/// Reads `reference.length` bytes at `reference.offset` of the file at `path`.
private func readBytes(_ path: String, _ reference: BulkDataReference) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw ImagingError(.malformedPixelData, "cannot open \(path) to read pixel data")
    }
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(reference.offset))
    let data = try handle.read(upToCount: reference.length) ?? Data()
    guard data.count == reference.length else {
        throw ImagingError(.malformedPixelData, "pixel data ends \(reference.length - data.count) bytes early")
    }
    return [UInt8](data)
}
