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

    /// The geometry of a series' present instances in viewing order — the first `limit` of them
    /// when given: each instance from its cached WADO-RS metadata (`templates` loads them by
    /// instance id, as `ArchiveIndex.cachedMetadata` does), its header read from the file only on
    /// a miss. Instances without pixel data (a structured report in an image series) are left out.
    static func read(_ instances: [CachedInstance], limit: Int? = nil, root: DataRoot,
                     templates: ([Int64]) throws -> [Int64: Data]) throws -> SeriesGeometry {
        let ids = Dictionary(instances.map { ($0.record.sopInstanceUID, $0.instanceID) }, uniquingKeysWith: { a, _ in a })
        let ordered = viewingOrder(instances.map(\.record)).prefix(limit ?? instances.count)
        let cache = try templates(ordered.compactMap { ids[$0.sopInstanceUID] })
        var header: (any GeometryAttributes)?
        var images: [Image] = []
        for record in ordered {
            let cached = ids[record.sopInstanceUID].flatMap { cache[$0] }.flatMap { try? DicomJSONAttributes(json: $0) }
            let attributes: any GeometryAttributes = try cached
                ?? DICOMFile(path: root.url(relativePath: record.filePath).path, options: .headerOnly).dataSet
            if header == nil { header = attributes }
            images += Self.images(attributes, sopInstanceUID: record.sopInstanceUID, instanceNumber: record.instanceNumber)
        }
        let first: any GeometryAttributes = header ?? DataSet()
        return overview(of: first, seriesInstanceUID: ordered.first?.series.seriesInstanceUID ?? "", images: images)
    }

    /// The overlay's patient, study and series text and the Frame of Reference, from one header.
    static func overview(of header: some GeometryAttributes, seriesInstanceUID: String, images: [Image]) -> SeriesGeometry {
        SeriesGeometry(
            patientName: header.string(.patientName), patientID: header.string(.patientID),
            patientBirthDate: header.string(.patientBirthDate), patientSex: header.string(.patientSex),
            studyDescription: header.string(.studyDescription), studyDate: header.string(.studyDate),
            studyTime: header.string(.studyTime), seriesInstanceUID: seriesInstanceUID,
            seriesNumber: header.int(.seriesNumber), seriesDescription: header.string(.seriesDescription),
            modality: header.string(.modality), frameOfReferenceUID: header.string(.frameOfReferenceUID), images: images)
    }
}
