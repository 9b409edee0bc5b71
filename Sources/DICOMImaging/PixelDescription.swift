import DICOMCore

/// Photometric Interpretation (0028,0004), PS3.3 C.7.6.3.1.2.
public enum PhotometricInterpretation: String, Sendable, Hashable {
    case monochrome1 = "MONOCHROME1"
    case monochrome2 = "MONOCHROME2"
    case paletteColor = "PALETTE COLOR"
    case rgb = "RGB"
    case ybrFull = "YBR_FULL"
    case ybrFull422 = "YBR_FULL_422"
    case ybrICT = "YBR_ICT"
    case ybrRCT = "YBR_RCT"

    public var isMonochrome: Bool { self == .monochrome1 || self == .monochrome2 }
}

/// The Image Pixel module attributes that say how a frame's samples are laid out (PS3.3
/// C.7.6.3), validated once so that no later step has to trust the header.
public struct PixelDescription: Hashable, Sendable {
    public var rows: Int
    public var columns: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// True for two's complement samples (Pixel Representation 1).
    public var isSigned: Bool
    /// 0: samples interleaved per pixel; 1: one plane per sample (colour-by-plane).
    public var planarConfiguration: Int
    public var photometricInterpretation: PhotometricInterpretation
    public var numberOfFrames: Int

    public init(rows: Int, columns: Int, samplesPerPixel: Int = 1, bitsAllocated: Int, bitsStored: Int,
                highBit: Int? = nil, isSigned: Bool = false, planarConfiguration: Int = 0,
                photometricInterpretation: PhotometricInterpretation, numberOfFrames: Int = 1) {
        self.rows = rows
        self.columns = columns
        self.samplesPerPixel = samplesPerPixel
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored
        self.highBit = highBit ?? bitsStored - 1
        self.isSigned = isSigned
        self.planarConfiguration = planarConfiguration
        self.photometricInterpretation = photometricInterpretation
        self.numberOfFrames = numberOfFrames
    }

    /// Reads and checks the module: sizes positive, bits 8/16/32 allocated with 1…allocated
    /// stored and High Bit = Bits Stored − 1, 1 or 3 samples matching the photometric
    /// interpretation, planar configuration 0 or 1.
    public init(_ dataSet: DataSet) throws {
        func required(_ tag: Tag, _ name: String) throws -> Int {
            guard let value = dataSet.int(tag) else {
                throw ImagingError(.invalidPixelModule, "\(name) \(tag) is missing")
            }
            return value
        }
        let rows = try required(.rows, "Rows")
        let columns = try required(.columns, "Columns")
        let bitsAllocated = try required(.bitsAllocated, "Bits Allocated")
        let bitsStored = dataSet.int(.bitsStored) ?? bitsAllocated
        let samples = dataSet.int(.samplesPerPixel) ?? 1
        guard let photometricText = dataSet.string(.photometricInterpretation) else {
            throw ImagingError(.invalidPixelModule, "Photometric Interpretation (0028,0004) is missing")
        }
        guard let photometric = PhotometricInterpretation(rawValue: photometricText) else {
            throw ImagingError(.unsupported, "Photometric Interpretation \(photometricText) is not supported")
        }
        let frames = dataSet.int(.numberOfFrames) ?? 1
        self.init(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: bitsAllocated,
                  bitsStored: bitsStored, highBit: dataSet.int(.highBit) ?? bitsStored - 1,
                  isSigned: dataSet.int(.pixelRepresentation) == 1,
                  planarConfiguration: dataSet.int(.planarConfiguration) ?? 0,
                  photometricInterpretation: photometric, numberOfFrames: frames)
        try validate()
    }

    func validate() throws {
        guard rows > 0, columns > 0 else {
            throw ImagingError(.invalidPixelModule, "Rows \(rows) × Columns \(columns) is empty")
        }
        guard numberOfFrames > 0 else {
            throw ImagingError(.invalidPixelModule, "Number of Frames \(numberOfFrames) is not positive")
        }
        guard [8, 16, 32].contains(bitsAllocated) else {
            throw ImagingError(.unsupported, "Bits Allocated \(bitsAllocated) is not supported (8, 16 or 32)")
        }
        guard (1...bitsAllocated).contains(bitsStored), highBit == bitsStored - 1 else {
            throw ImagingError(.invalidPixelModule,
                               "Bits Stored \(bitsStored) and High Bit \(highBit) do not fit Bits Allocated \(bitsAllocated)")
        }
        let expectedSamples = photometricInterpretation.isMonochrome || photometricInterpretation == .paletteColor ? 1 : 3
        guard samplesPerPixel == expectedSamples else {
            throw ImagingError(.invalidPixelModule,
                               "Samples per Pixel \(samplesPerPixel) does not suit \(photometricInterpretation.rawValue)")
        }
        guard planarConfiguration == 0 || planarConfiguration == 1 else {
            throw ImagingError(.invalidPixelModule, "Planar Configuration \(planarConfiguration) is not 0 or 1")
        }
    }

    public var pixelCount: Int { rows * columns }
    public var bytesPerSample: Int { bitsAllocated / 8 }

    /// Bytes of one decoded frame: every sample at full resolution.
    public var decodedFrameLength: Int { pixelCount * samplesPerPixel * bytesPerSample }

    /// Bytes of one frame as stored natively: YBR_FULL_422 keeps two luminance and one pair of
    /// chrominance samples per two pixels (PS3.3 C.7.6.3.1.2).
    public var nativeFrameLength: Int {
        photometricInterpretation == .ybrFull422 ? pixelCount * 2 * bytesPerSample : decodedFrameLength
    }
}
