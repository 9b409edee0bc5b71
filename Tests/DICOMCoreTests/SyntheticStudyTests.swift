import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

@Suite struct SyntheticStudyTests {
    static let syntaxes: [TransferSyntax] = [.implicitVRLittleEndian, .explicitVRLittleEndian,
                                             .explicitVRBigEndian, .deflatedExplicitVRLittleEndian]

    @Test(arguments: syntaxes) func studyReadsBackConsistent(syntax: TransferSyntax) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let specification = StudySpecification(modality: .MR, seriesCount: 2, instancesPerSeries: 3,
                                               instanceSize: 12 * 1024, transferSyntax: syntax)
        let study = SyntheticStudy(specification)
        let files = try study.write(to: directory)
        #expect(files.count == 6)

        var sopInstances = Set<String>()
        var seriesUIDs = Set<String>()
        for url in files {
            let file = try DICOMFile(path: url.path)
            let dataSet = file.dataSet
            #expect(file.transferSyntax == syntax)
            #expect(dataSet.string(.studyInstanceUID) == study.studyInstanceUID)
            #expect(dataSet.string(.modality) == "MR")
            #expect(dataSet.string(.patientName) == "Doe^Jane")
            #expect(dataSet.string(.referringPhysicianName) == "Müller^Anna")
            #expect(file.mediaStorageSOPInstanceUID == dataSet.string(.sopInstanceUID))
            let rows = try #require(dataSet.uint16(.rows)), columns = try #require(dataSet.uint16(.columns))
            #expect(dataSet.bytes(.pixelData)?.count == Int(rows) * Int(columns) * 2)
            sopInstances.insert(try #require(dataSet.string(.sopInstanceUID)))
            seriesUIDs.insert(try #require(dataSet.string(.seriesInstanceUID)))
            let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
            if !syntax.isDeflated { #expect(abs(size - 12 * 1024) < 2_048) }
        }
        #expect(sopInstances.count == 6)
        #expect(seriesUIDs.count == 2)
    }

    @Test func multiFrameInstanceIsStreamedWithTheRightLength() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let specification = StudySpecification(instancesPerSeries: 1, instanceSize: 4 << 20,
                                               framesPerInstance: 8)
        let url = try #require(try SyntheticStudy(specification).write(to: directory).first)
        let file = try DICOMFile(path: url.path, options: .headerOnly)
        #expect(file.dataSet.int(.numberOfFrames) == 8)
        let stop = try #require(file.stoppedBefore)
        #expect(stop.tag == .pixelData)
        let rows = try #require(file.dataSet.uint16(.rows)), columns = try #require(file.dataSet.uint16(.columns))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        // Element header of OW in Explicit VR Little Endian: tag 4, VR 2, reserved 2, length 4.
        #expect(size == stop.offset + 12 + Int(rows) * Int(columns) * 2 * 8)
    }

    @Test func blankPixelDataIsAllZeroWithTheSameLayout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("synth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let specification = StudySpecification(instancesPerSeries: 1, instanceSize: 4 << 20, framesPerInstance: 8,
                                               blankPixelData: true)
        let url = try #require(try SyntheticStudy(specification).write(to: directory).first)
        let file = try DICOMFile(path: url.path)
        #expect(file.dataSet.int(.numberOfFrames) == 8)
        let pixels = try #require(file.dataSet.bytes(.pixelData))
        let rows = try #require(file.dataSet.uint16(.rows)), columns = try #require(file.dataSet.uint16(.columns))
        #expect(pixels.count == Int(rows) * Int(columns) * 2 * 8)
        #expect(pixels.allSatisfy { $0 == 0 })
    }
}
