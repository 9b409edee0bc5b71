import DICOMCore
import DICOMImaging
import DICOMNetwork
import Foundation

/// The bytes of one file's data set as they go on the wire.
public enum OutgoingDataSet {
    /// The data set as stored: streamed from the file, after its meta information, one fragment
    /// at a time, never loaded whole.
    ///
    /// A data set of odd length (seen from writers that leave a deflated stream unpadded) gets the
    /// single trailing NUL that PS3.5 §A.5 prescribes: peers refuse odd-length data set fragments
    /// (DCMTK aborts the association). Such a file is small enough to be read whole.
    public static func asStored(_ file: InstanceSummary) throws -> DataSetSource {
        let length = file.size - file.dataSetOffset
        guard file.dataSetOffset >= 0, length > 0 else {
            throw SendFailure.unreadable("\(file.path): no data set after the file meta information")
        }
        guard length % 2 == 1 else {
            return .file(path: file.path, offset: UInt64(file.dataSetOffset), length: UInt64(length))
        }
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw SendFailure.unreadable("\(file.path): cannot open")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(file.dataSetOffset))
        let bytes = [UInt8](try handle.read(upToCount: length) ?? Data())
        guard bytes.count == length else { throw SendFailure.unreadable("\(file.path): shorter than inspected") }
        return .bytes(bytes + [0])
    }

    /// The data set re-encoded in another uncompressed syntax. The file is read whole, which the
    /// conversion needs; files already in an accepted syntax never take this path.
    public static func converted(_ file: InstanceSummary, to syntax: TransferSyntax) throws -> DataSetSource {
        do {
            let parsed = try DICOMFile(path: file.path)
            return .bytes(try DataSetWriter.encode(parsed.dataSet, transferSyntax: syntax))
        } catch {
            throw SendFailure.unreadable("\(file.path): cannot convert from \(file.transferSyntax.name) "
                                         + "to \(syntax.name): \(error)")
        }
    }

    /// The data set with its compressed pixel data decoded into `syntax` (Explicit or Implicit VR
    /// Little Endian), written one frame at a time to a temporary file that the send streams
    /// from. Decoding runs off Swift's cooperative pool: a large object takes seconds.
    public static func transcoded(_ file: InstanceSummary, to syntax: TransferSyntax) async throws -> TranscodedDataSet {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-transcode-\(UUID().uuidString).dcm").path
        do {
            let length = try await BlockingWork.run {
                try Transcoder.write(DICOMImage(path: file.path), to: syntax, path: path, metaInformation: false)
            }
            return TranscodedDataSet(source: .file(path: path, offset: 0, length: UInt64(length)), path: path)
        } catch {
            unlink(path)
            throw SendFailure.unreadable("\(file.path): cannot transcode from \(file.transferSyntax.name) "
                                         + "to \(syntax.name): \(error)")
        }
    }
}

/// A transcoded data set in a temporary file: sent from there, then removed.
public struct TranscodedDataSet: Sendable {
    public let source: DataSetSource
    let path: String

    public func remove() { unlink(path) }
}

