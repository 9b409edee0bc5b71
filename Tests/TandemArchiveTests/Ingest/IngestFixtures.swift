import DICOMCore
import DICOMSynthetic
import Foundation
@testable import TandemArchive

extension TemporaryRoot {
    func pipeline(_ storage: StorageSettings = StorageSettings(minFreeBytes: 0), epoch: Int64? = nil) throws -> StorePipeline {
        try StorePipeline.open(root: root, storage: storage, epoch: epoch, environment: [:])
    }
}

/// A synthetic instance as a sender would transmit it: the command's UIDs and the data set bytes.
struct SentInstance {
    var sopClassUID: String
    var sopInstanceUID: String
    var studyInstanceUID: String
    var transferSyntax: TransferSyntax
    var dataSet: [UInt8]

    /// Small synthetic instances of one study, in `syntax`.
    static func make(count: Int = 1, syntax: TransferSyntax = .explicitVRLittleEndian,
                     patientName: String = "Doe^Jane", size: Int = 16 * 1024) throws -> [SentInstance] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-synth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let study = SyntheticStudy(StudySpecification(instancesPerSeries: count, instanceSize: size,
                                                      transferSyntax: syntax, patientName: patientName))
        return try study.write(to: directory).map { try SentInstance(file: $0) }
    }

    init(file url: URL) throws {
        let bytes = try [UInt8](Data(contentsOf: url))
        let file = try DICOMFile(bytes: bytes, options: .headerOnly)
        sopClassUID = file.dataSet.string(.sopClassUID) ?? ""
        sopInstanceUID = file.dataSet.string(.sopInstanceUID) ?? ""
        studyInstanceUID = file.dataSet.string(.studyInstanceUID) ?? ""
        transferSyntax = file.transferSyntax
        dataSet = Array(bytes[file.dataSetOffset...])
    }

    func request(sopClassUID: String? = nil, sopInstanceUID: String? = nil) -> StoreRequest {
        StoreRequest(sopClassUID: sopClassUID ?? self.sopClassUID, sopInstanceUID: sopInstanceUID ?? self.sopInstanceUID,
                     transferSyntax: transferSyntax, callingAE: "MODALITY1", calledAE: "TANDEM")
    }

    /// Feeds the data set in fragments whose sizes cycle through `sizes`, then finishes.
    func store(with pipeline: StorePipeline, request: StoreRequest? = nil,
               fragmentSizes sizes: [Int] = [16_384]) async throws -> StoreResult {
        let reception = pipeline.begin(request ?? self.request())
        feed(reception, fragmentSizes: sizes)
        return try await reception.finish()
    }

    func feed(_ reception: InstanceReception, fragmentSizes sizes: [Int], upTo limit: Int? = nil) {
        let end = min(limit ?? dataSet.count, dataSet.count)
        var offset = 0, turn = 0
        while offset < end {
            let next = min(offset + sizes[turn % sizes.count], end)
            reception.append(Array(dataSet[offset..<next]))
            offset = next
            turn += 1
        }
    }
}
