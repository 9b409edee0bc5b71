import DICOMCore
import Foundation

/// Writes a realistic synthetic study as Part 10 files: consistent patient, study and series
/// attributes, fresh `2.25` UIDs, geometry, and a pixel pattern that varies by slice.
public struct SyntheticStudy: Sendable {
    public let specification: StudySpecification
    public let studyInstanceUID: String
    let seriesInstanceUIDs: [String]
    let frameOfReferenceUID: String

    public init(_ specification: StudySpecification) {
        self.specification = specification
        studyInstanceUID = SyntheticUID.make()
        seriesInstanceUIDs = (0..<specification.seriesCount).map { _ in SyntheticUID.make() }
        frameOfReferenceUID = SyntheticUID.make()
    }

    /// Writes every instance under `directory` (created if needed) as
    /// `<series number>/<instance number>.dcm`; returns the files in writing order.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        var files: [URL] = []
        for (seriesIndex, seriesUID) in seriesInstanceUIDs.enumerated() {
            let seriesDirectory = directory.appendingPathComponent(String(format: "S%03d", seriesIndex + 1))
            try FileManager.default.createDirectory(at: seriesDirectory, withIntermediateDirectories: true)
            let count = specification.framesPerInstance > 1 ? 1 : specification.instancesPerSeries
            for instanceNumber in 1...count {
                let url = seriesDirectory.appendingPathComponent(String(format: "I%05d.dcm", instanceNumber))
                let header = try instanceHeader(seriesIndex: seriesIndex, seriesUID: seriesUID,
                                                instanceNumber: instanceNumber)
                try PixelDataStreamer(specification: specification, sliceIndex: instanceNumber)
                    .writeFile(header: header, to: url)
                files.append(url)
            }
        }
        return files
    }

    /// Every attribute of the instance except Pixel Data.
    func instanceHeader(seriesIndex: Int, seriesUID: String, instanceNumber: Int) throws -> DataSet {
        let spec = specification
        let shape = spec.frameShape
        let multiFrame = spec.framesPerInstance > 1
        let sopClass = multiFrame ? "1.2.840.10008.5.1.4.1.1.7.3"   // Multi-frame Grayscale Word SC
            : spec.modality == .CT ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.4"
        var ds = DataSet()
        try ds.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 192")
        try ds.set(.imageType, vr: .CS, strings: ["ORIGINAL", "PRIMARY", "AXIAL"])
        try ds.set(.sopClassUID, vr: .UI, string: sopClass)
        try ds.set(.sopInstanceUID, vr: .UI, string: SyntheticUID.make())
        try ds.set(.studyDate, vr: .DA, string: "20261129")
        try ds.set(.seriesDate, vr: .DA, string: "20261129")
        try ds.set(.studyTime, vr: .TM, string: "081500")
        try ds.set(.accessionNumber, vr: .SH, string: "ACC" + spec.patientID.suffix(8))
        try ds.set(.modality, vr: .CS, string: multiFrame ? "OT" : spec.modality.rawValue)
        try ds.set(.manufacturer, vr: .LO, string: "Tandem Synthetic")
        try ds.set(.institutionName, vr: .LO, string: "Tandem Imaging Centre")
        try ds.set(.referringPhysicianName, vr: .PN, string: "Müller^Anna")
        try ds.set(.stationName, vr: .SH, string: "SYNTH1")
        try ds.set(.studyDescription, vr: .LO, string: spec.modality == .CT ? "CT HEAD W/O CONTRAST" : "MR BRAIN")
        try ds.set(.seriesDescription, vr: .LO, string: "Axial \(seriesIndex + 1)")
        try ds.set(.patientName, vr: .PN, string: spec.patientName)
        try ds.set(.patientID, vr: .LO, string: spec.patientID)
        try ds.set(.patientBirthDate, vr: .DA, string: "19700101")
        try ds.set(.patientSex, vr: .CS, string: "F")
        try ds.set(.bodyPartExamined, vr: .CS, string: "HEAD")
        try ds.set(.sliceThickness, vr: .DS, double: 2.5)
        switch spec.modality {
        case .CT:
            try ds.set(.kvp, vr: .DS, double: 120)
        case .MR:
            try ds.set(.scanningSequence, vr: .CS, string: "SE")
            try ds.set(.sequenceVariant, vr: .CS, string: "NONE")
            try ds.set(.mrAcquisitionType, vr: .CS, string: "2D")
            try ds.set(.repetitionTime, vr: .DS, double: 500)
            try ds.set(.echoTime, vr: .DS, double: 15)
            try ds.set(.magneticFieldStrength, vr: .DS, double: 1.5)
        }
        try ds.set(.studyInstanceUID, vr: .UI, string: studyInstanceUID)
        try ds.set(.seriesInstanceUID, vr: .UI, string: seriesUID)
        try ds.set(.studyID, vr: .SH, string: "1")
        try ds.set(.seriesNumber, vr: .IS, int: seriesIndex + 1)
        try ds.set(.acquisitionNumber, vr: .IS, int: 1)
        try ds.set(.instanceNumber, vr: .IS, int: instanceNumber)
        try ds.set(.imagePositionPatient, vr: .DS, doubles: [-125, -125, Double(instanceNumber) * 2.5])
        try ds.set(.imageOrientationPatient, vr: .DS, doubles: [1, 0, 0, 0, 1, 0])
        try ds.set(.frameOfReferenceUID, vr: .UI, string: frameOfReferenceUID)
        try ds.set(.samplesPerPixel, vr: .US, uint16: 1)
        try ds.set(.photometricInterpretation, vr: .CS, string: "MONOCHROME2")
        if multiFrame { try ds.set(.numberOfFrames, vr: .IS, int: spec.framesPerInstance) }
        try ds.set(.rows, vr: .US, int: shape.rows)
        try ds.set(.columns, vr: .US, int: shape.columns)
        try ds.set(.pixelSpacing, vr: .DS, doubles: [0.5, 0.5])
        try ds.set(.bitsAllocated, vr: .US, uint16: 16)
        try ds.set(.bitsStored, vr: .US, uint16: 12)
        try ds.set(.highBit, vr: .US, uint16: 11)
        try ds.set(.pixelRepresentation, vr: .US, uint16: 0)
        try ds.set(.windowCenter, vr: .DS, double: 40)
        try ds.set(.windowWidth, vr: .DS, double: 400)
        if spec.modality == .CT && !multiFrame {
            try ds.set(.rescaleIntercept, vr: .DS, double: -1024)
            try ds.set(.rescaleSlope, vr: .DS, double: 1)
        }
        return ds
    }
}
