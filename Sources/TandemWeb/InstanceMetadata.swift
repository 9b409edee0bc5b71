import Foundation
import NIOCore
import TandemArchive

/// An instance's WADO-RS metadata (PS3.18 §10.4.1.1.2) as a template cached in the index
/// (`ArchiveIndex.cachedMetadata`): its DICOM JSON without bulk data, each BulkDataURI starting
/// with `DicomJSONWriter.instanceURLMarker` where the instance's URL goes. The URL depends on
/// the request (scheme, host, port), the template does not, so one entry serves every client.
enum InstanceMetadata {
    /// The template layout; bump it when the JSON written changes, and older entries are rebuilt.
    static let format = 1

    /// Reads the instance's file and writes its template.
    static func template(_ record: InstanceRecord, root: DataRoot) throws -> Data {
        let stored = try StoredInstance.read(record, root: root)
        let marker = String(Character(DicomJSONWriter.instanceURLMarker))
        let frames = (1...stored.numberOfFrames).map(String.init).joined(separator: ",")
        var json = DicomJSONWriter()
        try json.write(stored.file.dataSet, bulkDataURI: { tag in
            tag == .pixelData && stored.transferSyntax.isEncapsulated
                ? marker + "/frames/" + frames
                : marker + "/bulkdata/" + DicomJSONWriter.hex(tag)
        }, load: stored.load)
        return Data(json.text.utf8)
    }

    /// Appends `template` to `buffer` with the instance's URL in place of each marker.
    static func append(_ template: Data, instanceURL: String, to buffer: inout ByteBuffer) {
        let marker = Int32(DicomJSONWriter.instanceURLMarker.value)
        template.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            // memchr: a template is a few kilobytes with a handful of markers, scanned per instance per answer.
            while let found = memchr(base + start, marker, bytes.count - start) {
                let end = base.distance(to: UnsafeRawPointer(found))
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                buffer.writeString(instanceURL)
                start = end + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
    }
}
