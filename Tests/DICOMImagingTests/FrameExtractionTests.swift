import DICOMCore
import Testing
@testable import DICOMImaging

@Suite("Frames of native and encapsulated pixel data")
struct FrameExtractionTests {
    @Test("Native multi-frame pixel data is cut into frames")
    func nativeFrames() throws {
        let pixels: [UInt16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let dataSet = try imageDataSet(rows: 2, columns: 2, frames: 3, pixelData: .bytes(littleEndianBytes(pixels)))
        let frames = try decodeAll(dataSet, .explicitVRLittleEndian)
        #expect(frames.map { $0.sampleValues() } == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    }

    @Test("Bits above High Bit are masked, signed samples sign-extended")
    func storedBits() throws {
        let dataSet = try imageDataSet(rows: 1, columns: 3, bitsStored: 12, signed: true,
                                       pixelData: .bytes(littleEndianBytes([0xF7FF, 0x0800, 0x1001])))
        #expect(try decodeAll(dataSet, .explicitVRLittleEndian)[0].sampleValues() == [2047, -2048, 1])
    }

    @Test("Pixel Data shorter than Rows × Columns × Frames is an error, not a crash")
    func nativeTooShort() throws {
        let dataSet = try imageDataSet(rows: 4, columns: 4, frames: 2, pixelData: .bytes([UInt8](repeating: 0, count: 40)))
        #expect(throws: ImagingError.self) { try PixelFrames(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian) }
    }

    @Test("A 65535×65535 claim with a frame count beyond the data is refused without allocating")
    func hugeClaim() throws {
        let dataSet = try imageDataSet(rows: 65535, columns: 65535, frames: 2_000_000_000,
                                       pixelData: .bytes([0, 0, 0, 0]))
        let error = try #require(throws: ImagingError.self) {
            try PixelFrames(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian)
        }
        #expect(error.kind == .malformedPixelData)
    }

    static func rleFragments(_ count: Int) -> [[UInt8]] {
        (0..<count).map { frame in rleFrame(segments: [[UInt8(frame), 1, 2, 3]]) }
    }

    static func rleDataSet(frames: Int, fragments: [[UInt8]], basicOffsetTable: [UInt32] = [],
                           extended: [UInt64]? = nil) throws -> DataSet {
        let table = basicOffsetTable.flatMap { value in (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }
        var dataSet = try imageDataSet(rows: 2, columns: 2, bitsAllocated: 8, frames: frames,
                                       pixelData: .encapsulated(EncapsulatedPixelData(
                                           basicOffsetTable: table, fragments: fragments.map { .bytes($0) })))
        if let extended {
            try dataSet.set(.extendedOffsetTable, vr: .OV,
                            bytes: extended.flatMap { value in (0..<8).map { UInt8(value >> (8 * $0) & 0xFF) } })
        }
        return dataSet
    }

    @Test("One fragment per frame without an offset table")
    func fragmentPerFrame() throws {
        let frames = try decodeAll(Self.rleDataSet(frames: 3, fragments: Self.rleFragments(3)), .rleLossless)
        #expect(frames.map { $0.bytes } == [[0, 1, 2, 3], [1, 1, 2, 3], [2, 1, 2, 3]])
    }

    @Test("Frames split over several fragments, found through the Basic Offset Table")
    func basicOffsetTable() throws {
        let whole = Self.rleFragments(2)
        // Frame 1 in two fragments (header, then segments), frame 2 in one.
        let fragments = [Array(whole[0][0..<64]), Array(whole[0][64...]), whole[1]]
        let second = UInt32(8 + 64 + 8 + whole[0].count - 64)
        let dataSet = try Self.rleDataSet(frames: 2, fragments: fragments, basicOffsetTable: [0, second])
        #expect(try decodeAll(dataSet, .rleLossless).map { $0.bytes } == [[0, 1, 2, 3], [1, 1, 2, 3]])
    }

    @Test("The Extended Offset Table takes precedence over an empty Basic Offset Table")
    func extendedOffsetTable() throws {
        let fragments = Self.rleFragments(2)
        let dataSet = try Self.rleDataSet(frames: 2, fragments: fragments, extended: [0, UInt64(8 + fragments[0].count)])
        #expect(try decodeAll(dataSet, .rleLossless).map { $0.bytes } == [[0, 1, 2, 3], [1, 1, 2, 3]])
    }

    @Test("Offset tables pointing outside the data, or between fragments, are errors",
          arguments: [[0, 4096], [0, 3], [20, 0]] as [[UInt32]])
    func badOffsetTable(_ table: [UInt32]) throws {
        let dataSet = try Self.rleDataSet(frames: 2, fragments: Self.rleFragments(2), basicOffsetTable: table)
        let error = try #require(throws: ImagingError.self) { try PixelFrames(dataSet: dataSet, transferSyntax: .rleLossless) }
        #expect(error.kind == .malformedPixelData)
    }

    @Test("A frame count larger than the fragments hold is an error")
    func tooManyFrames() throws {
        let dataSet = try Self.rleDataSet(frames: 5, fragments: Self.rleFragments(2))
        #expect(throws: ImagingError.self) { try PixelFrames(dataSet: dataSet, transferSyntax: .rleLossless) }
    }

    @Test("A frame index outside the object is an error")
    func frameOutOfRange() throws {
        let frames = try PixelFrames(dataSet: Self.rleDataSet(frames: 2, fragments: Self.rleFragments(2)),
                                     transferSyntax: .rleLossless)
        let error = try #require(throws: ImagingError.self) { try frames.encodedFrame(2) }
        #expect(error.kind == .frameOutOfRange)
    }
}
