import DICOMCore
import Foundation
import Testing
@testable import TandemArchive
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

    /// An Enhanced MR object of three frames (PS3.3 A.36.2): plane position and orientation per
    /// frame, pixel measures and pixel value transformation shared, a frame VOI LUT in frame 2 only.
    private func enhancedMR() throws -> DataSet {
        var dataSet = try mrHeader()
        dataSet.remove(.imagePositionPatient)
        dataSet.remove(.imageOrientationPatient)
        dataSet.remove(.sliceThickness)
        try dataSet.set(.numberOfFrames, vr: .IS, string: "3")
        func item(_ tag: DICOMCore.Tag, _ build: (inout DataSet) throws -> Void) rethrows -> DataSet {
            var inner = DataSet()
            try build(&inner)
            var outer = DataSet()
            outer.set(tag, items: [inner])
            return outer
        }
        var shared = try item(.pixelMeasuresSequence) {
            try $0.set(.pixelSpacing, vr: .DS, doubles: [0.5, 0.6])
            try $0.set(.sliceThickness, vr: .DS, double: 1.5)
        }
        shared.set(.pixelValueTransformationSequence, items: [try {
            var transformation = DataSet()
            try transformation.set(.rescaleSlope, vr: .DS, double: 2)
            try transformation.set(.rescaleIntercept, vr: .DS, double: -10)
            return transformation
        }()])
        let frames = try (0..<3).map { frame -> DataSet in
            // Sagittal planes 4 mm apart along x: row along y, column along -z, normal along x.
            var groups = try item(.planePositionSequence) {
                try $0.set(.imagePositionPatient, vr: .DS, doubles: [Double(frame) * 4 - 4, -100, 80])
            }
            groups.set(.planeOrientationSequence, items: [try {
                var plane = DataSet()
                try plane.set(.imageOrientationPatient, vr: .DS, doubles: [0, 1, 0, 0, 0, -1])
                return plane
            }()])
            if frame == 1 {
                groups.set(.frameVOILUTSequence, items: [try {
                    var voi = DataSet()
                    try voi.set(.windowCenter, vr: .DS, double: 250)
                    try voi.set(.windowWidth, vr: .DS, double: 80)
                    return voi
                }()])
            }
            return groups
        }
        dataSet.set(.sharedFunctionalGroupsSequence, items: [shared])
        dataSet.set(.perFrameFunctionalGroupsSequence, items: frames)
        return dataSet
    }

    @Test("an enhanced multi-frame object's frames take their plane, spacing, thickness, rescale and window from the per-frame, then shared, functional groups; their slice location is the position along the normal")
    func enhancedFrames() throws {
        let images = SeriesGeometry.images(try enhancedMR(), sopInstanceUID: "1.7", instanceNumber: 1)
        #expect(images.map(\.frame) == [1, 2, 3])
        #expect(images.map(\.position) == [[-4, -100, 80], [0, -100, 80], [4, -100, 80]])
        #expect(images.allSatisfy { $0.orientation == [0, 1, 0, 0, 0, -1] })
        #expect(images.allSatisfy { $0.pixelSpacing == [0.5, 0.6] && $0.sliceThickness == 1.5 })
        #expect(images.allSatisfy { $0.rescaleSlope == 2 && $0.rescaleIntercept == -10 })
        // Row (0,1,0) × column (0,0,-1) = (-1,0,0): the location is -x.
        #expect(images.map(\.sliceLocation) == [4, 0, -4])
        // Frame 2's own window; the others keep the top level's first window.
        #expect(images.map(\.windowCenter) == [600, 250, 600] && images.map(\.windowWidth) == [1200, 80, 1200])
    }

    @Test("colour images are described as the viewer receives them: 8-bit RGB, whatever their stored form")
    func colourLayout() throws {
        for (photometric, bits, samples) in [("YBR_FULL_422", 8, 3), ("PALETTE COLOR", 16, 1), ("RGB", 16, 3)] {
            var dataSet = try mrHeader()
            try dataSet.set(.photometricInterpretation, vr: .CS, string: photometric)
            try dataSet.set(.bitsAllocated, vr: .US, uint16: UInt16(bits))
            try dataSet.set(.bitsStored, vr: .US, uint16: UInt16(bits))
            try dataSet.set(.samplesPerPixel, vr: .US, uint16: UInt16(samples))
            try dataSet.set(.planarConfiguration, vr: .US, uint16: 1)
            let image = try #require(SeriesGeometry.images(dataSet, sopInstanceUID: "1", instanceNumber: nil).first)
            #expect(image.photometricInterpretation == "RGB" && image.samplesPerPixel == 3, "\(photometric)")
            #expect(image.bitsAllocated == 8 && image.bitsStored == 8 && !image.signed, "\(photometric)")
        }
        let grey = try #require(SeriesGeometry.images(try mrHeader(), sopInstanceUID: "1", instanceNumber: nil).first)
        #expect(grey.photometricInterpretation == "MONOCHROME2" && grey.bitsAllocated == 16 && grey.bitsStored == 12)
    }

    /// The metadata cache's template of `dataSet`, as `InstanceMetadata` writes it.
    private func template(_ dataSet: DataSet) -> Data {
        var writer = DicomJSONWriter()
        writer.write(dataSet, bulkDataURI: { _ in nil }, load: { _ in [] })
        return Data(writer.text.utf8)
    }

    @Test("geometry from the metadata cache equals geometry from the header, enhanced functional groups and overlay text included")
    func cachedEqualsHeader() throws {
        var dataSet = try enhancedMR()
        try dataSet.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 192")
        try dataSet.set(.patientName, vr: .PN, string: "Yamada^Tarou=山田^太郎")
        try dataSet.set(.patientID, vr: .LO, string: "P-7")
        try dataSet.set(.seriesNumber, vr: .IS, string: "4")
        try dataSet.set(.studyDate, vr: .DA, string: "20260102")
        try dataSet.set(.voilutFunction, vr: .CS, string: "SIGMOID")
        let cached = try DicomJSONAttributes(json: template(dataSet))
        #expect(SeriesGeometry.images(cached, sopInstanceUID: "1.7", instanceNumber: 1)
                == SeriesGeometry.images(dataSet, sopInstanceUID: "1.7", instanceNumber: 1))
        #expect(SeriesGeometry.overview(of: cached, seriesInstanceUID: "1.2.3", images: [])
                == SeriesGeometry.overview(of: dataSet, seriesInstanceUID: "1.2.3", images: []))
        #expect(cached.string(.patientName) == "Yamada^Tarou=山田^太郎")
    }

    @Test("a series whose instances are all cached is read without opening a file; a miss reads the file; a limit reads the first instances only")
    func cacheHitsReadNoFile() throws {
        let root = DataRoot(url: FileManager.default.temporaryDirectory.appendingPathComponent("tandem-geometry-\(UUID())"))
        var mr = try mrHeader()
        try mr.set(.seriesDescription, vr: .LO, string: "t2 tse")
        let instances = [CachedInstance(instanceID: 11, record: record("1.2", number: 2)),
                         CachedInstance(instanceID: 10, record: record("1.1", number: 1))]
        // Both records name the file "x", which does not exist.
        let cached: [Int64: Data] = [10: template(mr), 11: template(mr)]
        var asked: [[Int64]] = []
        let geometry = try SeriesGeometry.read(instances, root: root) { ids in
            asked.append(ids)
            return cached.filter { ids.contains($0.key) }
        }
        #expect(geometry.images.map(\.sopInstanceUID) == ["1.1", "1.2"] && geometry.seriesDescription == "t2 tse")
        // The first instance in viewing order alone: only its template is asked for.
        let first = try SeriesGeometry.read(instances, limit: 1, root: root) { ids in
            asked.append(ids)
            return cached.filter { ids.contains($0.key) }
        }
        #expect(first.images.map(\.sopInstanceUID) == ["1.1"] && asked == [[10, 11], [10]])
        #expect(throws: (any Error).self) { try SeriesGeometry.read(instances, root: root) { _ in [10: cached[10]!] } }
    }
}
