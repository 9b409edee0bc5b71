import DICOMCore

/// An image ready for display: 8-bit greyscale (1 sample) or RGB (3 samples, interleaved).
public struct RenderedImage: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var samplesPerPixel: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, samplesPerPixel: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * samplesPerPixel, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.samplesPerPixel = samplesPerPixel
        self.pixels = pixels
    }
}

/// Renders decoded frames for display, following the grayscale pipeline of PS3.4 N.2 / PS3.3
/// C.11: modality LUT (Rescale Slope/Intercept or Modality LUT Sequence), VOI (the requested
/// window, else the data set's first window, else its VOI LUT Sequence, else the frame's
/// range), then MONOCHROME1 or Presentation LUT Shape INVERSE inversion. Colour images are
/// converted to RGB (YBR_FULL by PS3.3 C.7.6.3.1.2, palettes by their LUTs) and scaled to 8 bits.
/// Enhanced objects' functional groups (per-frame, then shared) take precedence over the top level.
public struct FrameRenderer: Sendable {
    let dataSet: DataSet

    public init(dataSet: DataSet) {
        self.dataSet = dataSet
    }

    public func render(_ frame: DecodedFrame, window requested: Window? = nil, frame index: Int = 0) throws -> RenderedImage {
        let d = frame.description
        switch d.photometricInterpretation {
        case .monochrome1, .monochrome2:
            return try renderGrey(frame, window: requested, frame: index)
        case .paletteColor:
            return try renderPalette(frame)
        case .rgb, .ybrFull, .ybrFull422:
            return renderColour(frame.interleaved())
        case .ybrICT, .ybrRCT:
            throw ImagingError(.unsupported, "\(d.photometricInterpretation.rawValue) pixels cannot be rendered "
                               + "before the codec's inverse colour transform")
        }
    }

    // MARK: Greyscale

    private func renderGrey(_ frame: DecodedFrame, window requested: Window?, frame index: Int) throws -> RenderedImage {
        let d = frame.description
        let values = frame.sampleValues()
        let groups = functionalGroups(frame: index)
        let modalityLUT = try LookupTable.first(in: .modalityLUTSequence, of: dataSet, signedInput: d.isSigned,
                                                name: "the Modality LUT")
        let slope = groups.lazy.compactMap { $0.items(.pixelValueTransformationSequence)?.first?.double(.rescaleSlope) }.first
            ?? dataSet.double(.rescaleSlope) ?? 1
        let intercept = groups.lazy.compactMap { $0.items(.pixelValueTransformationSequence)?.first?.double(.rescaleIntercept) }.first
            ?? dataSet.double(.rescaleIntercept) ?? 0
        let modality: (Int32) -> Double = { stored in
            if let modalityLUT { return Double(modalityLUT[Int(stored)]) }
            return Double(stored) * slope + intercept
        }

        var (low, high) = (Int32.max, Int32.min)
        for value in values { low = min(low, value); high = max(high, value) }

        let voi: (Double) -> Double
        if let window = requested ?? dataSetWindow(groups) {
            voi = { window.apply($0) }
        } else if let voiLUT = try LookupTable.first(in: .voilutSequence, of: dataSet, signedInput: false,
                                                     name: "the VOI LUT") {
            let scale = Double(voiLUT.maximumEntry)
            voi = { Double(voiLUT[Int($0.rounded(.down))]) / scale }
        } else {
            let (a, b) = (modality(low), modality(high))
            let window = Window(center: (min(a, b) + max(a, b)) / 2, width: abs(b - a), function: .linearExact)
            voi = { a == b ? 0 : window.apply($0) }
        }
        let shape = dataSet.string(.presentationLUTShape)
        let invert = d.photometricInterpretation == .monochrome1 || shape == "INVERSE"
        let output: (Int32) -> UInt8 = { stored in
            let level = voi(modality(stored)) * 255
            let byte = UInt8(min(max(level.rounded(), 0), 255))
            return invert ? 255 - byte : byte
        }

        var pixels = [UInt8](repeating: 0, count: d.pixelCount)
        let range = Int(high) - Int(low)
        if range < 1 << 20 {
            // One evaluation per distinct stored value, then a table lookup per pixel.
            let table = (0...range).map { output(Int32(Int(low) + $0)) }
            table.withUnsafeBufferPointer { lut in
                pixels.withUnsafeMutableBufferPointer { out in
                    for index in 0..<out.count { out[index] = lut[Int(values[index] &- low)] }
                }
            }
        } else {
            for index in 0..<pixels.count { pixels[index] = output(values[index]) }
        }
        return RenderedImage(width: d.columns, height: d.rows, samplesPerPixel: 1, pixels: pixels)
    }

    /// Frame Content's functional groups for this frame: per-frame item, then shared item.
    private func functionalGroups(frame index: Int) -> [DataSet] {
        var groups: [DataSet] = []
        if let perFrame = dataSet.items(.perFrameFunctionalGroupsSequence), perFrame.indices.contains(index) {
            groups.append(perFrame[index])
        }
        if let shared = dataSet.items(.sharedFunctionalGroupsSequence)?.first { groups.append(shared) }
        return groups
    }

    /// The first Window Center/Width of the frame's Frame VOI LUT, else of the data set.
    private func dataSetWindow(_ groups: [DataSet]) -> Window? {
        let sources = groups.compactMap { $0.items(.frameVOILUTSequence)?.first } + [dataSet]
        for source in sources {
            guard let center = source.doubles(.windowCenter)?.first, let width = source.doubles(.windowWidth)?.first
            else { continue }
            let function = source.string(.voilutFunction).flatMap(Window.Function.init(rawValue:)) ?? .linear
            return Window(center: center, width: width, function: function)
        }
        return nil
    }

    // MARK: Colour

    private func renderPalette(_ frame: DecodedFrame) throws -> RenderedImage {
        let d = frame.description
        let palette = try Palette(dataSet, signedInput: d.isSigned)
        let values = frame.sampleValues()
        var pixels = [UInt8](repeating: 0, count: d.pixelCount * 3)
        let channels = [palette.red, palette.green, palette.blue]
        for (index, value) in values.enumerated() {
            for (channel, table) in channels.enumerated() {
                let entry = Int(table[Int(value)])
                pixels[index * 3 + channel] = UInt8(table.bitsPerEntry > 8 ? entry >> (table.bitsPerEntry - 8) : entry)
            }
        }
        return RenderedImage(width: d.columns, height: d.rows, samplesPerPixel: 3, pixels: pixels)
    }

    private func renderColour(_ frame: DecodedFrame) -> RenderedImage {
        let d = frame.description
        let values = frame.sampleValues()
        let maximum = Double((1 << d.bitsStored) - 1)
        var pixels = [UInt8](repeating: 0, count: values.count)
        if d.photometricInterpretation == .rgb {
            for index in values.indices {
                pixels[index] = d.bitsStored == 8 ? UInt8(truncatingIfNeeded: values[index])
                    : UInt8(min(max((Double(values[index]) * 255 / maximum).rounded(), 0), 255))
            }
        } else {
            // YBR_FULL to RGB, PS3.3 C.7.6.3.1.2 (8-bit; wider samples scaled first).
            let scale = 255 / maximum
            for pixel in 0..<d.pixelCount {
                let y = Double(values[pixel * 3]) * scale
                let cb = Double(values[pixel * 3 + 1]) * scale - 128
                let cr = Double(values[pixel * 3 + 2]) * scale - 128
                let rgb = [y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb]
                for channel in 0..<3 { pixels[pixel * 3 + channel] = UInt8(min(max(rgb[channel].rounded(), 0), 255)) }
            }
        }
        return RenderedImage(width: d.columns, height: d.rows, samplesPerPixel: 3, pixels: pixels)
    }
}
