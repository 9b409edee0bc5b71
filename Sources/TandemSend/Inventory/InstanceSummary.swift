import DICOMCore

/// What a sender or a technician needs to know about one Part 10 file before sending it.
public struct InstanceSummary: Sendable, Hashable, Codable {
    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var patientID: String?
    public var transferSyntaxUID: String
    /// File size in bytes.
    public var size: Int
    /// Offset of the data set after the File Meta Information (0 for a bare data set).
    public var dataSetOffset: Int

    public init(path: String, sopClassUID: String, sopInstanceUID: String, studyInstanceUID: String? = nil,
                seriesInstanceUID: String? = nil, patientID: String? = nil, transferSyntaxUID: String, size: Int,
                dataSetOffset: Int) {
        self.path = path
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.patientID = patientID
        self.transferSyntaxUID = transferSyntaxUID
        self.size = size
        self.dataSetOffset = dataSetOffset
    }

    public var transferSyntax: TransferSyntax { TransferSyntax(uid: transferSyntaxUID) }
}

/// The result of inspecting one file: sendable, or skipped with the reason.
public enum InventoryEntry: Sendable, Hashable {
    case sendable(InstanceSummary)
    case skipped(path: String, reason: String)

    public var path: String {
        switch self {
        case .sendable(let summary): return summary.path
        case .skipped(let path, _): return path
        }
    }
}
