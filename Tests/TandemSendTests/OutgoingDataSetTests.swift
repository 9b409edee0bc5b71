@testable import DICOMCore
import DICOMNetwork
import Foundation
import Testing
@testable import TandemSend

@Suite struct OutgoingDataSetTests {
    func fileSummary(dataSetLength: Int) throws -> InstanceSummary {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("outgoing-\(UUID().uuidString).dcm")
        try Data(repeating: 0x41, count: 132 + dataSetLength).write(to: url)
        return InstanceSummary(path: url.path, sopClassUID: "1.2.3", sopInstanceUID: "1.2.3.4", studyInstanceUID: nil,
                               seriesInstanceUID: nil, patientID: nil,
                               transferSyntaxUID: TransferSyntax.deflatedExplicitVRLittleEndian.uid,
                               size: 132 + dataSetLength, dataSetOffset: 132)
    }

    @Test func anEvenDataSetStreamsFromTheFile() throws {
        let file = try fileSummary(dataSetLength: 10)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        guard case .file(let path, let offset, let length) = try OutgoingDataSet.asStored(file) else {
            Issue.record("not streamed"); return
        }
        #expect(path == file.path && offset == 132 && length == 10)
    }

    /// PS3.5 §A.5: an odd deflated stream is padded with one NUL before it goes out.
    @Test func anOddDataSetGetsOneTrailingNUL() throws {
        let file = try fileSummary(dataSetLength: 9)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        guard case .bytes(let bytes) = try OutgoingDataSet.asStored(file) else { Issue.record("not padded"); return }
        #expect(bytes == [UInt8](repeating: 0x41, count: 9) + [0])
    }

    @Test func aFileWithoutDataSetIsUnreadable() throws {
        let file = try fileSummary(dataSetLength: 0)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        #expect(throws: SendFailure.self) { try OutgoingDataSet.asStored(file) }
    }
}
