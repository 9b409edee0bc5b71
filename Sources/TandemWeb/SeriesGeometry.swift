import DICOMCore
import Foundation
import TandemArchive

/// What the viewer needs to place, order and display every frame of a series, read from the
/// headers alone (pixel data is never loaded): the Image Plane module (PS3.3 C.7.6.2), the Image
/// Pixel module's layout (C.7.6.3), rescale (C.11.1) and the first VOI window (C.11.2), plus the
/// patient, study and series text of the viewer's overlay. Much smaller and faster than
/// `/metadata`, which carries every attribute of every instance.
struct SeriesGeometry: Encodable, Equatable {
    struct Image: Encodable, Equatable {
        var sopInstanceUID: String
        /// 1-based, for multi-frame instances.
        var frame: Int
        var instanceNumber: Int?
        var rows: Int
        var columns: Int
        var bitsAllocated: Int
        var bitsStored: Int
        var signed: Bool
        var photometricInterpretation: String
        var samplesPerPixel: Int
        /// Image Position (Patient), mm.
        var position: [Double]?
        /// Image Orientation (Patient): row then column direction cosines.
        var orientation: [Double]?
        /// Pixel Spacing: between rows, then between columns (mm).
        var pixelSpacing: [Double]?
        var sliceThickness: Double?
        var sliceLocation: Double?
        var windowCenter: Double?
        var windowWidth: Double?
        /// VOI LUT Function (LINEAR, LINEAR_EXACT, SIGMOID).
        var windowFunction: String?
        var rescaleSlope: Double
        var rescaleIntercept: Double
    }

    var patientName: String?
    var patientID: String?
    var patientBirthDate: String?
    var patientSex: String?
    var studyDescription: String?
    var studyDate: String?
    var studyTime: String?
    var seriesInstanceUID: String
    var seriesNumber: Int?
    var seriesDescription: String?
    var modality: String?
    var frameOfReferenceUID: String?
    var images: [Image]

    /// Frames listed per instance at most.
    static let maximumFrames = 10_000

    /// The order in which the viewer shows and the server streams a series: Instance Number,
    /// then SOP Instance UID (deterministic for instances without a number).
    static func viewingOrder(_ records: [InstanceRecord]) -> [InstanceRecord] {
        records.sorted {
            switch ($0.instanceNumber, $1.instanceNumber) {
            case let (a?, b?) where a != b: a < b
            case (_?, nil): true
            case (nil, _?): false
            default: $0.sopInstanceUID < $1.sopInstanceUID
            }
        }
    }

    /// Reads the headers of a series' instances, in viewing order. Instances without pixel data
    /// (a structured report in an image series) are left out.
    static func read(_ records: [InstanceRecord], root: DataRoot) throws -> SeriesGeometry {
        let ordered = viewingOrder(records)
        var first: DataSet?
        var images: [Image] = []
        for record in ordered {
            let file = try DICOMFile(path: root.url(relativePath: record.filePath).path, options: .headerOnly)
            let dataSet = file.dataSet
            if first == nil { first = dataSet }
            images += Self.images(dataSet, sopInstanceUID: record.sopInstanceUID, instanceNumber: record.instanceNumber)
        }
        let header = first ?? DataSet()
        return SeriesGeometry(
            patientName: header.string(.patientName), patientID: header.string(.patientID),
            patientBirthDate: header.string(.patientBirthDate), patientSex: header.string(.patientSex),
            studyDescription: header.string(.studyDescription), studyDate: header.string(.studyDate),
            studyTime: header.string(.studyTime), seriesInstanceUID: ordered.first?.series.seriesInstanceUID ?? "",
            seriesNumber: header.int(.seriesNumber), seriesDescription: header.string(.seriesDescription),
            modality: header.string(.modality), frameOfReferenceUID: header.string(.frameOfReferenceUID), images: images)
    }

    /// One entry per frame of an image instance; none when it has no usable Image Pixel module.
    static func images(_ dataSet: DataSet, sopInstanceUID: String, instanceNumber: Int?) -> [Image] {
        guard let rows = dataSet.int(.rows), let columns = dataSet.int(.columns), rows > 0, columns > 0,
              let bitsAllocated = dataSet.int(.bitsAllocated) else { return [] }
        let position = dataSet.doubles(.imagePositionPatient).flatMap { $0.count == 3 ? $0 : nil }
        let orientation = dataSet.doubles(.imageOrientationPatient).flatMap { $0.count == 6 ? $0 : nil }
        let spacing = (dataSet.doubles(.pixelSpacing) ?? dataSet.doubles(.imagerPixelSpacing))
            .flatMap { $0.count == 2 && $0.allSatisfy { $0 > 0 } ? $0 : nil }
        let image = Image(
            sopInstanceUID: sopInstanceUID, frame: 1, instanceNumber: instanceNumber, rows: rows, columns: columns,
            bitsAllocated: bitsAllocated, bitsStored: dataSet.int(.bitsStored) ?? bitsAllocated,
            signed: dataSet.int(.pixelRepresentation) == 1,
            photometricInterpretation: dataSet.string(.photometricInterpretation) ?? "MONOCHROME2",
            samplesPerPixel: dataSet.int(.samplesPerPixel) ?? 1, position: position, orientation: orientation,
            pixelSpacing: spacing, sliceThickness: dataSet.double(.sliceThickness),
            sliceLocation: dataSet.double(.sliceLocation), windowCenter: dataSet.doubles(.windowCenter)?.first,
            windowWidth: dataSet.doubles(.windowWidth)?.first.flatMap { $0 > 0 ? $0 : nil },
            windowFunction: dataSet.string(.voilutFunction), rescaleSlope: dataSet.double(.rescaleSlope) ?? 1,
            rescaleIntercept: dataSet.double(.rescaleIntercept) ?? 0)
        // A hostile Number of Frames must not size an allocation: frames past the bound are not listed.
        let frames = min(max(dataSet.int(.numberOfFrames) ?? 1, 1), maximumFrames)
        return (1...frames).map { frame in
            var copy = image
            copy.frame = frame
            return copy
        }
    }
}
