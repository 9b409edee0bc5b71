import DICOMCore
import DICOMImaging
import Hummingbird

/// How each instance of a WADO-RS instance, series or study retrieve is sent (PS3.18 §8.7.3):
/// as stored, or transcoded to Explicit VR Little Endian, the default for `application/dicom`
/// (§8.7.3.4). `transfer-syntax=*` keeps every stored syntax; naming the stored syntax keeps it
/// too; naming Explicit VR Little Endian transcodes what is not, or answers 406 when some
/// instance cannot be (a codec DICOMImaging lacks). Without a `transfer-syntax` the default
/// applies wherever it can: lossy pixel data stays as received (§8.7.3.4 allows it), and so
/// does data no decoder here reads.
enum InstanceEncoding: Equatable {
    case stored
    case explicitLittleEndian

    static func choose(_ request: Request, stored: [String]) throws -> [InstanceEncoding] {
        let ranges = MediaNegotiation.fullRanges(request)
        guard !ranges.isEmpty else { return stored.map(byDefault) }
        for range in ranges {
            let parameters = AcceptedSyntax.parameters(range)
            let type = parameters[""] ?? ""
            if type == "*/*" { return stored.map { _ in .stored } }
            guard ["multipart/related", "application/dicom", "application/*"].contains(type) else { continue }
            let partType = parameters["type"] ?? "application/dicom"
            guard ["application/dicom", "application/*", "*/*"].contains(partType) else { continue }
            switch parameters["transfer-syntax"] {
            case nil: return stored.map(byDefault)
            case "*": return stored.map { _ in .stored }
            case let syntax? where stored.allSatisfy({ $0 == syntax }): return stored.map { _ in .stored }
            case TransferSyntax.explicitVRLittleEndian.uid? where stored.allSatisfy(canTranscode):
                return stored.map { $0 == TransferSyntax.explicitVRLittleEndian.uid ? .stored : .explicitLittleEndian }
            default: continue
            }
        }
        throw HTTPError(.notAcceptable, message: "stored as \(Set(stored).sorted().joined(separator: ", ")); "
                        + "ask for transfer-syntax=*, the stored syntax, or \(TransferSyntax.explicitVRLittleEndian.uid)")
    }

    private static func byDefault(_ uid: String) -> InstanceEncoding {
        let syntax = TransferSyntax(uid: uid)
        guard syntax != .explicitVRLittleEndian, canTranscode(uid), Transcoder.lossyMethod(syntax) == nil else { return .stored }
        return .explicitLittleEndian
    }

    /// Uncompressed data is re-encoded; compressed pixel data needs a decoder.
    static func canTranscode(_ uid: String) -> Bool {
        let syntax = TransferSyntax(uid: uid)
        return syntax.isUncompressed || FrameDecoders.standard.canDecode(syntax)
    }

    /// Outputs the Part 10 bytes of the file at `path` in Explicit VR Little Endian: an image a
    /// frame at a time (the Transcoder's streaming path), so a 3,000-frame object needs the memory
    /// of a few frames; an object without Pixel Data (or deflated, which cannot be read in
    /// place) whole.
    static func writeExplicitLittleEndian(path: String, to output: ([UInt8]) throws -> Void) throws {
        let probe = try DICOMFile(path: path, options: .headerOnly)
        let bulkData = ReadOptions(bulkDataThreshold: 64 * 1024, fragmentBulkDataThreshold: 0)
        guard !probe.transferSyntax.isDeflated, try DICOMFile(path: path, options: bulkData).dataSet.contains(.pixelData) else {
            return try output(wholeExplicitLittleEndian(path: path))
        }
        let image = try DICOMImage(path: path)
        guard let sopClass = image.dataSet.string(.sopClassUID), let sopInstance = image.dataSet.string(.sopInstanceUID) else {
            throw DICOMError(.invalidFileMetaInformation("the data set has no SOP Class UID or SOP Instance UID"))
        }
        try output(DICOMFile.metaHeader(sopClassUID: sopClass, sopInstanceUID: sopInstance,
                                        transferSyntax: .explicitVRLittleEndian,
                                        sourceApplicationEntityTitle: image.file.sourceApplicationEntityTitle))
        try Transcoder.writeDataSet(image, to: .explicitVRLittleEndian, output)
    }

    private static func wholeExplicitLittleEndian(path: String) throws -> [UInt8] {
        let file = try DICOMFile(path: path)
        var transcoded = try DICOMFile(dataSet: file.dataSet, transferSyntax: .explicitVRLittleEndian,
                                       sourceApplicationEntityTitle: file.sourceApplicationEntityTitle)
        transcoded.preamble = file.preamble
        return try transcoded.encoded()
    }
}
