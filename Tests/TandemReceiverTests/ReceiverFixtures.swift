import DICOMCore
import DICOMSynthetic
import Foundation
import TandemArchive
@testable import TandemReceiver

/// A fresh data root under the system temp directory, removed by `remove()`.
struct ScratchRoot {
    let root: DataRoot

    /// The root sits alone in its own directory, so a test can tell whether anything was written
    /// beside it (a path escaping the root) while other tests create their own roots.
    init() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-recv-\(UUID().uuidString)")
        root = DataRoot(url: parent.appendingPathComponent("root"))
        try root.prepare()
    }

    func remove() {
        try? FileManager.default.removeItem(at: root.url.deletingLastPathComponent())
    }

    /// Regular files under `directory` (relative to the root), sorted.
    func files(under directory: String) -> [String] {
        let base = root.url.appendingPathComponent(directory)
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        return (enumerator?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.path.dropFirst(root.url.path.count + 1)) }
            .sorted()
    }

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
