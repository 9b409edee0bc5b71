import DICOMCore
import Foundation

/// Lists and inspects the files a sender is given (folders recursively), reading each file's
/// structure without loading bulk data, so a folder of gigabyte instances is inspected quickly.
public enum FileInventory {
    public struct MissingPath: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): no such file or directory" }
    }

    /// Regular files under the given paths, each folder walked in name order (`FileWalk`).
    /// Throws `MissingPath` for a path that does not exist.
    public static func files(under paths: [String]) throws -> [String] {
        Array(try FileWalk(paths: paths))
    }

    /// What a summary needs; the rest of the structure is checked, bounded and dropped.
    static let retainedTags: Set<Tag> = [.sopClassUID, .sopInstanceUID, .studyInstanceUID, .seriesInstanceUID, .patientID]

    /// Reads the whole structure of a file, skipping bulk values, and summarises it.
    public static func inspect(path: String) -> InventoryEntry {
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path, options: .indexing(retaining: retainedTags))
        } catch let error as DICOMError {
            let isDICOM = hasPart10Prefix(path)
            return .skipped(path: path, reason: isDICOM ? "\(error)" : "not a DICOM file (\(error))")
        } catch {
            return .skipped(path: path, reason: "\(error)")
        }
        let dataSet = file.dataSet
        guard let sopClass = nonEmpty(dataSet.string(.sopClassUID) ?? file.mediaStorageSOPClassUID) else {
            return .skipped(path: path, reason: "missing SOP Class UID (0008,0016)")
        }
        guard let sopInstance = nonEmpty(dataSet.string(.sopInstanceUID) ?? file.mediaStorageSOPInstanceUID) else {
            return .skipped(path: path, reason: "missing SOP Instance UID (0008,0018)")
        }
        let size = Int(FileByteSource.size(ofFileAt: path) ?? 0)
        return .sendable(InstanceSummary(
            path: path, sopClassUID: sopClass, sopInstanceUID: sopInstance,
            studyInstanceUID: nonEmpty(dataSet.string(.studyInstanceUID)),
            seriesInstanceUID: nonEmpty(dataSet.string(.seriesInstanceUID)),
            patientID: nonEmpty(dataSet.string(.patientID)),
            transferSyntaxUID: file.transferSyntax.uid, size: size, dataSetOffset: file.dataSetOffset))
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// True when the file has the 128-byte preamble followed by "DICM" (PS3.10 §7.1).
    private static func hasPart10Prefix(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 132)) ?? Data()
        return head.count == 132 && head.suffix(4).elementsEqual("DICM".utf8)
    }
}
