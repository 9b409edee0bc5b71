import DICOMCore
import TandemArchive
import Testing
@testable import TandemWeb

@Suite("viewer series geometry")
struct SeriesGeometryTests {
    private func record(_ sop: String, number: Int?) -> InstanceRecord {
        InstanceRecord(patient: PatientAttributes(patientID: "P"), study: StudyAttributes(studyInstanceUID: "1.2"),
                       series: SeriesAttributes(seriesInstanceUID: "1.2.3", modality: "MR"), sopInstanceUID: sop,
                       sopClassUID: "1.2.840.10008.5.1.4.1.1.4", instanceNumber: number,
                       transferSyntaxUID: TransferSyntax.explicitVRLittleEndian.uid, filePath: "x", fileSize: 1)
    }

    @Test("viewing order: Instance Number, numbered before unnumbered, then SOP Instance UID")
    func order() {
        let records = [record("1.9", number: nil), record("1.5", number: 10), record("1.4", number: 2),
                       record("1.3", number: 10), record("1.1", number: nil)]
        #expect(SeriesGeometry.viewingOrder(records).map(\.sopInstanceUID) == ["1.4", "1.3", "1.5", "1.1", "1.9"])
    }

    private func mrHeader() throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(.rows, vr: .US, uint16: 256)
        try dataSet.set(.columns, vr: .US, uint16: 192)
        try dataSet.set(.bitsAllocated, vr: .US, uint16: 16)
        try dataSet.set(.bitsStored, vr: .US, uint16: 12)
        try dataSet.set(.pixelRepresentation, vr: .US, uint16: 0)
        try dataSet.set(.photometricInterpretation, vr: .CS, string: "MONOCHROME2")
        try dataSet.set(.imagePositionPatient, vr: .DS, doubles: [-120, -100.5, 42])
        try dataSet.set(.imageOrientationPatient, vr: .DS, doubles: [1, 0, 0, 0, 1, 0])
        try dataSet.set(.sliceThickness, vr: .DS, double: 3)
        try dataSet.set(.windowCenter, vr: .DS, doubles: [600, 300])
        try dataSet.set(.windowWidth, vr: .DS, doubles: [1200, 500])
        return dataSet
    }

    @Test("an image's plane, pixel layout, first window and default rescale are read from its header")
    func imagePlane() throws {
        var dataSet = try mrHeader()
        try dataSet.set(.pixelSpacing, vr: .DS, doubles: [0.9, 0.8])
        let images = SeriesGeometry.images(dataSet, sopInstanceUID: "1.4", instanceNumber: 7)
        #expect(images.count == 1)
        let image = try #require(images.first)
        #expect(image.rows == 256 && image.columns == 192 && image.bitsStored == 12 && !image.signed)
        #expect(image.position == [-120, -100.5, 42] && image.orientation == [1, 0, 0, 0, 1, 0])
        #expect(image.pixelSpacing == [0.9, 0.8] && image.sliceThickness == 3)
        #expect(image.windowCenter == 600 && image.windowWidth == 1200)
        #expect(image.rescaleSlope == 1 && image.rescaleIntercept == 0 && image.instanceNumber == 7)
    }

    @Test("Pixel Spacing absent or malformed is absent, not invented; Imager Pixel Spacing stands in for it")
    func spacing() throws {
        var dataSet = try mrHeader()
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).first?.pixelSpacing == nil)
        try dataSet.set(.pixelSpacing, vr: .DS, doubles: [0, 1])
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).first?.pixelSpacing == nil)
        dataSet.remove(.pixelSpacing)
        try dataSet.set(.imagerPixelSpacing, vr: .DS, doubles: [0.2, 0.2])
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).first?.pixelSpacing == [0.2, 0.2])
    }

    @Test("a multi-frame instance lists each frame; a hostile Number of Frames is bounded; no Rows, no image")
    func frames() throws {
        var dataSet = try mrHeader()
        try dataSet.set(.numberOfFrames, vr: .IS, string: "3")
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).map(\.frame) == [1, 2, 3])
        try dataSet.set(.numberOfFrames, vr: .IS, string: "2147483647")
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).count
                == SeriesGeometry.maximumFrames)
        dataSet.remove(.rows)
        #expect(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).isEmpty)
    }
}
