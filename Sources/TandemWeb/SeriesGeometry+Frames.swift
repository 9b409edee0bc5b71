import DICOMCore

extension SeriesGeometry {
    /// One entry per frame of an image instance; none when it has no usable Image Pixel module.
    /// An enhanced multi-frame object (PS3.3 C.7.6.16) describes each frame in its functional
    /// groups — the frame's item of the Per-frame Functional Groups Sequence, then the Shared
    /// Functional Groups item — which take precedence over the top level.
    static func images<Attributes: GeometryAttributes>(_ attributes: Attributes, sopInstanceUID: String,
                                                        instanceNumber: Int?) -> [Image] {
        guard let rows = attributes.int(.rows), let columns = attributes.int(.columns), rows > 0, columns > 0,
              let bitsAllocated = attributes.int(.bitsAllocated) else { return [] }
        let photometric = attributes.string(.photometricInterpretation) ?? "MONOCHROME2"
        var image = Image(
            sopInstanceUID: sopInstanceUID, frame: 1, instanceNumber: instanceNumber, rows: rows, columns: columns,
            bitsAllocated: bitsAllocated, bitsStored: attributes.int(.bitsStored) ?? bitsAllocated,
            signed: attributes.int(.pixelRepresentation) == 1, photometricInterpretation: photometric,
            samplesPerPixel: attributes.int(.samplesPerPixel) ?? 1,
            position: attributes.doubles(.imagePositionPatient).flatMap(vector(3)),
            orientation: attributes.doubles(.imageOrientationPatient).flatMap(vector(6)),
            pixelSpacing: (attributes.doubles(.pixelSpacing) ?? attributes.doubles(.imagerPixelSpacing)).flatMap(spacing),
            sliceThickness: attributes.double(.sliceThickness), sliceLocation: attributes.double(.sliceLocation),
            windowCenter: attributes.doubles(.windowCenter)?.first,
            windowWidth: attributes.doubles(.windowWidth)?.first.flatMap { $0 > 0 ? $0 : nil },
            windowFunction: attributes.string(.voilutFunction), rescaleSlope: attributes.double(.rescaleSlope) ?? 1,
            rescaleIntercept: attributes.double(.rescaleIntercept) ?? 0)
        if !["MONOCHROME1", "MONOCHROME2"].contains(photometric) {
            // Colour reaches the viewer as `/rendered` draws it (ViewerRoutes.pixels): 8-bit RGB,
            // interleaved, whatever the stored interpretation, planar configuration or depth.
            (image.photometricInterpretation, image.samplesPerPixel) = ("RGB", 3)
            (image.bitsAllocated, image.bitsStored, image.signed) = (8, 8, false)
        }
        // A hostile Number of Frames must not size an allocation: frames past the bound are not listed.
        let frames = min(max(attributes.int(.numberOfFrames) ?? 1, 1), maximumFrames)
        let perFrame = attributes.items(.perFrameFunctionalGroupsSequence) ?? []
        let shared = attributes.items(.sharedFunctionalGroupsSequence)?.first
        return (1...frames).map { frame in
            var copy = image
            copy.frame = frame
            let groups = (perFrame.indices.contains(frame - 1) ? [perFrame[frame - 1]] : []) + (shared.map { [$0] } ?? [])
            if !groups.isEmpty { copy.apply(functionalGroups: groups) }
            return copy
        }
    }

    static func vector(_ count: Int) -> ([Double]) -> [Double]? {
        { $0.count == count ? $0 : nil }
    }

    static func spacing(_ values: [Double]) -> [Double]? {
        values.count == 2 && values.allSatisfy { $0 > 0 } ? values : nil
    }
}

extension SeriesGeometry.Image {
    /// A frame's functional group macros (PS3.3 C.7.6.16.2), the first group holding each winning:
    /// Plane Position (Patient), Plane Orientation (Patient), Pixel Measures, Frame VOI LUT and
    /// Pixel Value Transformation. An enhanced object has no Slice Location: the frame's is its
    /// position along the plane's normal (position · (row × column)), as for the linking.
    mutating func apply<Attributes: GeometryAttributes>(functionalGroups groups: [Attributes]) {
        func macro(_ sequence: Tag) -> Attributes? {
            groups.lazy.compactMap { $0.items(sequence)?.first }.first
        }
        if let plane = macro(.planePositionSequence), let value = plane.doubles(.imagePositionPatient)
            .flatMap(SeriesGeometry.vector(3)) {
            position = value
        }
        if let plane = macro(.planeOrientationSequence), let value = plane.doubles(.imageOrientationPatient)
            .flatMap(SeriesGeometry.vector(6)) {
            orientation = value
        }
        if let measures = macro(.pixelMeasuresSequence) {
            pixelSpacing = measures.doubles(.pixelSpacing).flatMap(SeriesGeometry.spacing) ?? pixelSpacing
            sliceThickness = measures.double(.sliceThickness) ?? sliceThickness
        }
        if let voi = macro(.frameVOILUTSequence), let center = voi.doubles(.windowCenter)?.first,
           let width = voi.doubles(.windowWidth)?.first, width > 0 {
            (windowCenter, windowWidth, windowFunction) = (center, width, voi.string(.voilutFunction))
        }
        if let transformation = macro(.pixelValueTransformationSequence) {
            rescaleSlope = transformation.double(.rescaleSlope) ?? rescaleSlope
            rescaleIntercept = transformation.double(.rescaleIntercept) ?? rescaleIntercept
        }
        if sliceLocation == nil, let position, let orientation {
            let row = orientation[0..<3].map { $0 }, column = orientation[3..<6].map { $0 }
            let normal = [row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2],
                          row[0] * column[1] - row[1] * column[0]]
            sliceLocation = zip(position, normal).map(*).reduce(0, +)
        }
    }
}
