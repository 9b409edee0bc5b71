import DICOMCore
import Testing
@testable import DICOMImaging

@Suite("Rendering to 8 bits: modality LUT, VOI, inversion, colour")
struct RenderingTests {
    func render(_ dataSet: DataSet, window: Window? = nil) throws -> RenderedImage {
        try DICOMImage(file: DICOMFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian))
            .rendered(frame: 0, window: window)
    }

    @Test("Linear window by PS3.3 C.11.2.1.2.1: below, inside and above the window")
    func linearWindow() throws {
        let dataSet = try imageDataSet(rows: 1, columns: 4, pixelData: .bytes(littleEndianBytes([0, 100, 150, 300])))
        let image = try render(dataSet, window: Window(center: 150, width: 101))
        // Inside (99.5, 199.5]: 100 → ((100 − 149.5) / 100 + 0.5) × 255 = 1.275; 150 → 128.775.
        #expect(image.pixels == [0, 1, 129, 255])
    }

    @Test("The data set's first window is used when none is requested; MONOCHROME1 is inverted")
    func dataSetWindowAndMonochrome1() throws {
        var dataSet = try imageDataSet(rows: 1, columns: 3, photometric: "MONOCHROME1",
                                       pixelData: .bytes(littleEndianBytes([0, 1000, 2000])))
        try dataSet.set(.windowCenter, vr: .DS, doubles: [1000, 50])
        try dataSet.set(.windowWidth, vr: .DS, doubles: [2001, 10])
        // 1000 → ((1000 − 999.5) / 2000 + 0.5) × 255 = 127.56 → 128, inverted 127.
        #expect(try render(dataSet).pixels == [255, 127, 0])
    }

    @Test("Rescale slope and intercept apply before the window")
    func modalityRescale() throws {
        var dataSet = try imageDataSet(rows: 1, columns: 2, pixelData: .bytes(littleEndianBytes([0, 1024])))
        try dataSet.set(.rescaleSlope, vr: .DS, double: 1)
        try dataSet.set(.rescaleIntercept, vr: .DS, double: -1024)
        // CT air (−1024 HU) and water (0 HU) in a window of 40/400.
        #expect(try render(dataSet, window: Window(center: 40, width: 400)).pixels == [0, 102])
    }

    @Test("Without any window the frame's range spans 0…255; Presentation LUT Shape INVERSE inverts")
    func minMaxAndInverse() throws {
        var dataSet = try imageDataSet(rows: 1, columns: 3, signed: true,
                                       pixelData: .bytes(littleEndianBytes([UInt16(bitPattern: -500), 0, 500])))
        #expect(try render(dataSet).pixels == [0, 128, 255])
        try dataSet.set(.presentationLUTShape, vr: .CS, string: "INVERSE")
        #expect(try render(dataSet).pixels == [255, 127, 0])
    }

    @Test("VOI LUT Sequence maps values through its table")
    func voiLUT() throws {
        var dataSet = try imageDataSet(rows: 1, columns: 3, pixelData: .bytes(littleEndianBytes([10, 11, 99])))
        var item = DataSet()
        try item.set(.lutDescriptor, vr: .US, ints: [2, 10, 8])
        try item.set(.lutData, vr: .US, ints: [0, 255])
        dataSet.insert(DataElement(tag: .voilutSequence, vr: .SQ, value: .sequence([SequenceItem(item)])))
        #expect(try render(dataSet).pixels == [0, 255, 255])
    }

    @Test("PALETTE COLOR through its three LUTs; a palette of the wrong length is an error")
    func palette() throws {
        var dataSet = try imageDataSet(rows: 1, columns: 2, bitsAllocated: 8, photometric: "PALETTE COLOR",
                                       pixelData: .bytes([0, 1]))
        for (descriptor, data, values) in [(Tag.redPaletteColorLookupTableDescriptor, Tag.redPaletteColorLookupTableData, [0xFFFF, 0]),
                                           (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, [0, 0x8000]),
                                           (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, [0, 0xFFFF])] {
            try dataSet.set(descriptor, vr: .US, ints: [2, 0, 16])
            try dataSet.set(data, vr: .OW, bytes: littleEndianBytes(values.map(UInt16.init)))
        }
        #expect(try render(dataSet).pixels == [255, 0, 0, 0, 128, 255])
        try dataSet.set(.greenPaletteColorLookupTableData, vr: .OW, bytes: [1, 2, 3, 4, 5, 6])
        let error = try #require(throws: ImagingError.self) { try render(dataSet) }
        #expect(error.kind == .invalidPixelModule)
    }

    @Test("YBR_FULL converts to RGB by PS3.3 C.7.6.3.1.2; native YBR_FULL_422 is widened first")
    func ybr() throws {
        let full = try imageDataSet(rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: "YBR_FULL",
                                    pixelData: .bytes([128, 128, 128, 76, 85, 255]))
        #expect(try render(full).pixels == [128, 128, 128, 254, 0, 0])
        let subsampled = try imageDataSet(rows: 1, columns: 2, bitsAllocated: 8, samples: 3, photometric: "YBR_FULL_422",
                                          pixelData: .bytes([128, 76, 128, 128]))
        #expect(try render(subsampled).pixels == [128, 128, 128, 76, 76, 76])
    }

    @Test("Thumbnails average the area each output pixel covers")
    func thumbnail() {
        let image = RenderedImage(width: 4, height: 2, samplesPerPixel: 1, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        let small = image.thumbnail(maximumSize: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [25, 45])
    }

    @Test("PNG: signature, IHDR of the image, chunks with valid CRCs")
    func png() throws {
        let png = try RenderedImage(width: 3, height: 2, samplesPerPixel: 3, pixels: Array(0..<18)).pngData()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(Array(png[16..<26]) == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2])
        #expect(Array(png.suffix(8).prefix(4)) == Array("IEND".utf8))
    }
}
