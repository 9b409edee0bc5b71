import DICOMCore
import Foundation

/// Prints `dcmsend --dry-run` results: one line per file on stdout (text or JSON lines),
/// a summary on stderr.
public struct InventoryReport {
    public let json: Bool
    public private(set) var sendable = 0
    public private(set) var skipped = 0
    public private(set) var bytes = 0

    public init(json: Bool) {
        self.json = json
    }

    public mutating func print(_ entry: InventoryEntry) {
        switch entry {
        case .sendable(let summary):
            sendable += 1
            bytes += summary.size
            emit(json ? Self.jsonLine(summary) : Self.textLine(summary))
        case .skipped(let path, let reason):
            skipped += 1
            emit(json ? Self.jsonLine(["path": path, "status": "skipped", "reason": reason])
                      : "SKIP \(path): \(reason)")
        }
    }

    public var summary: String {
        "\(sendable) sendable, \(skipped) skipped, \(bytes) bytes"
    }

    static func textLine(_ summary: InstanceSummary) -> String {
        let sopClass = UIDDictionary.entry(for: summary.sopClassUID)?.name ?? summary.sopClassUID
        return ["OK  ", summary.path, sopClass, summary.sopInstanceUID,
                "study=\(summary.studyInstanceUID ?? "-")", "series=\(summary.seriesInstanceUID ?? "-")",
                "patient=\(summary.patientID ?? "-")", summary.transferSyntax.name, "\(summary.size) B"]
            .joined(separator: "  ")
    }

    static func jsonLine(_ summary: InstanceSummary) -> String {
        var fields: [String: Any] = [
            "path": summary.path, "status": "sendable", "sopClassUID": summary.sopClassUID,
            "sopInstanceUID": summary.sopInstanceUID, "transferSyntaxUID": summary.transferSyntaxUID,
            "size": summary.size,
        ]
        fields["studyInstanceUID"] = summary.studyInstanceUID
        fields["seriesInstanceUID"] = summary.seriesInstanceUID
        fields["patientID"] = summary.patientID
        return jsonLine(fields)
    }

    static func jsonLine(_ fields: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
