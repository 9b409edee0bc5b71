import DICOMCore
import Foundation
import TandemArchive

/// An archived instance's file, read for WADO-RS: the header with large values left in the file
/// (as `BulkDataReference`s to seek to), and the geometry of its native pixel data.
struct StoredInstance: Sendable {
    let record: InstanceRecord
    let path: String
    let file: DICOMFile

    /// Values above this many bytes stay in the file and become BulkDataURIs (binary VRs) or are
    /// loaded on demand (text, numbers).
    static let bulkDataThreshold = 1_024

    /// Reads the file's structure. Offsets into a deflated or big-endian data set cannot be served
    /// as they lie in the file, so those are read whole.
    static func read(_ record: InstanceRecord, root: DataRoot) throws -> StoredInstance {
        let path = root.url(relativePath: record.filePath).path
        let syntax = TransferSyntax(uid: record.transferSyntaxUID)
        let seekable = !syntax.isDeflated && !syntax.isBigEndian
        let file = try DICOMFile(path: path, options: ReadOptions(bulkDataThreshold: seekable ? bulkDataThreshold : nil))
        return StoredInstance(record: record, path: path, file: file)
    }

    /// The bytes of a value left in the file.
    func load(_ reference: BulkDataReference) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(reference.offset))
        let data = try handle.read(upToCount: reference.length) ?? Data()
        guard data.count == reference.length else { throw CocoaError(.fileReadCorruptFile) }
        return [UInt8](data)
    }

    var transferSyntax: TransferSyntax { file.transferSyntax }
    var numberOfFrames: Int { max(file.dataSet.int(.numberOfFrames) ?? 1, 1) }

    /// Bytes per frame of native pixel data (PS3.5 §8.1.1), nil when not computable or not whole bytes.
    var nativeFrameLength: Int? {
        let dataSet = file.dataSet
        guard let rows = dataSet.int(.rows), let columns = dataSet.int(.columns),
              let bitsAllocated = dataSet.int(.bitsAllocated), bitsAllocated % 8 == 0, rows > 0, columns > 0 else { return nil }
        let samples = dataSet.int(.samplesPerPixel) ?? 1
        return rows * columns * samples * bitsAllocated / 8
    }

    /// A piece of a frame: a range of the file, or a small fragment read with the header.
    enum FramePiece: Sendable {
        case file(BulkDataReference)
        case bytes([UInt8])

        var length: Int {
            switch self {
            case .file(let reference): reference.length
            case .bytes(let bytes): bytes.count
            }
        }
    }

    /// Where each requested frame (1-based) lies: one range for native data, the frame's
    /// fragments for encapsulated data (PS3.5 §A.4: all fragments for a single frame, else one
    /// fragment per frame). Nil when a frame is out of range or the layout cannot be resolved.
    func frames(_ numbers: [Int]) -> [[FramePiece]]? {
        let count = numberOfFrames
        guard numbers.allSatisfy({ (1...count).contains($0) }), let pixelData = file.dataSet[.pixelData] else { return nil }
        switch pixelData.value {
        case .bulkData(let reference):
            guard let length = nativeFrameLength, reference.length >= length * count else { return nil }
            return numbers.map { [.file(BulkDataReference(offset: reference.offset + ($0 - 1) * length, length: length))] }
        case .bytes(let bytes):
            guard let length = nativeFrameLength, bytes.count >= length * count else { return nil }
            return numbers.map { [.bytes(Array(bytes[($0 - 1) * length ..< $0 * length]))] }
        case .encapsulated(let encapsulated):
            let fragments: [FramePiece] = encapsulated.fragments.map {
                switch $0 {
                case .bulkData(let reference): .file(reference)
                case .bytes(let bytes): .bytes(bytes)
                }
            }
            guard !fragments.isEmpty else { return nil }
            if count == 1 { return numbers.map { _ in fragments } }
            if fragments.count == count { return numbers.map { [fragments[$0 - 1]] } }
            return nil
        case .sequence:
            return nil
        }
    }
}
