import DICOMCore
import DICOMImaging
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// WADO-RS (PS3.18 §10.4): instances, series and studies as `multipart/related;
/// type="application/dicom"` streamed from the stored files; `/metadata` as DICOM JSON with
/// BulkDataURIs; `/bulkdata/{tag}`; `/frames/{list}` of the stored pixel data. Instances are
/// served in their stored transfer syntax: a request for another one is answered 406.
struct WadoRoutes {
    let index: ArchiveIndex
    /// http or https, for BulkDataURIs.
    let scheme: String

    static let maximumFramesPerRequest = 10_000

    func register(on router: Router<WebContext>) {
        let study = "/dicomweb/studies/:study", series = study + "/series/:series", instance = series + "/instances/:instance"
        router.get(RouterPath(study)) { request, context in
            try await retrieve(request, context, try instances(context, levels: 1))
        }
        router.get(RouterPath(series)) { request, context in
            try await retrieve(request, context, try instances(context, levels: 2))
        }
        router.get(RouterPath(instance)) { request, context in
            try await retrieve(request, context, try instances(context, levels: 3))
        }
        router.get(RouterPath(study + "/metadata")) { request, context in
            try await metadata(request, context, try instances(context, levels: 1))
        }
        router.get(RouterPath(series + "/metadata")) { request, context in
            try await metadata(request, context, try instances(context, levels: 2))
        }
        router.get(RouterPath(instance + "/metadata")) { request, context in
            try await metadata(request, context, try instances(context, levels: 3))
        }
        router.get(RouterPath(instance + "/frames/:frames")) { request, context in
            try await frames(request, context, try instances(context, levels: 3))
        }
        router.get(RouterPath(instance + "/bulkdata/:tag")) { request, context in
            try await bulkData(request, context, try instances(context, levels: 3))
        }
    }

    /// The instances the path names (study; study and series; study, series and instance); 404
    /// when none.
    private func instances(_ context: WebContext, levels: Int) throws -> [InstanceRecord] {
        try context.authorize(.read)
        let study = try context.uid("study")
        let series = levels >= 2 ? try context.uid("series") : nil
        let instance = levels >= 3 ? try context.uid("instance") : nil
        let found = try index.instances(studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: instance)
            .filter { $0.missingSince == nil }.map(\.record)
        guard !found.isEmpty else { throw HTTPError(.notFound, message: "no such study, series or instance") }
        return found
    }

    // MARK: Instances

    private func retrieve(_ request: Request, _ context: WebContext, _ records: [InstanceRecord]) async throws -> Response {
        _ = try AcceptedSyntax.choose(request, multipartType: "application/dicom", stored: records.map(\.transferSyntaxUID),
                                      canDecode: false)
        let multipart = MultipartWriter()
        let root = index.root
        let body = ResponseBody { writer in
            for record in records {
                let path = root.url(relativePath: record.filePath).path
                try await writer.write(multipart.partHeader(
                    contentType: "application/dicom; transfer-syntax=\(record.transferSyntaxUID)", length: record.fileSize))
                try await MultipartWriter.streamFile(path, to: &writer)
                try await writer.write(multipart.partEnd)
            }
            try await writer.write(multipart.closing)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: multipart.contentType(partType: "application/dicom")], body: body)
    }

    // MARK: Metadata

    private func metadata(_ request: Request, _ context: WebContext, _ records: [InstanceRecord]) async throws -> Response {
        try MediaNegotiation.requireAcceptable(request, offered: ["application/dicom+json", "application/json"])
        let root = index.root
        let base = BulkDataBase(request: request, context: context, scheme: scheme)
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "["))
            for (position, record) in records.enumerated() {
                let json = try await offPool {
                    let stored = try StoredInstance.read(record, root: root)
                    var json = DicomJSONWriter()
                    let instanceURL = base.instanceURL(record)
                    try json.write(stored.file.dataSet, bulkDataURI: { tag in
                        tag == .pixelData && stored.transferSyntax.isEncapsulated
                            ? instanceURL + "/frames/" + (1...stored.numberOfFrames).map(String.init).joined(separator: ",")
                            : instanceURL + "/bulkdata/" + DicomJSONWriter.hex(tag)
                    }, load: stored.load)
                    return json.text
                }
                try await writer.write(ByteBuffer(string: (position > 0 ? "," : "") + json))
            }
            try await writer.write(ByteBuffer(string: "]"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/dicom+json"], body: body)
    }

    // MARK: Bulk data and frames

    private func bulkData(_ request: Request, _ context: WebContext, _ records: [InstanceRecord]) async throws -> Response {
        guard let text = context.parameters.get("tag"), text.count == 8, let value = UInt32(text, radix: 16) else {
            throw HTTPError(.badRequest, message: "bulkdata: expected a tag as 8 hex digits")
        }
        let root = index.root, record = records[0]
        let stored = try await offPool { try StoredInstance.read(record, root: root) }
        guard let element = stored.file.dataSet[Tag(value)] else { throw HTTPError(.notFound, message: "no such attribute") }
        let piece: StoredInstance.FramePiece
        switch element.value {
        case .bulkData(let reference): piece = .file(reference)
        case .bytes(let bytes): piece = .bytes(bytes)
        case .encapsulated: throw HTTPError(.notAcceptable, message: "encapsulated pixel data is served by /frames")
        case .sequence: throw HTTPError(.badRequest, message: "a sequence has no bulk data")
        }
        try MediaNegotiation.requireAcceptable(request, offered: ["multipart/related", "application/octet-stream"])
        return framesResponse([[piece]], path: stored.path, syntax: stored.transferSyntax.uid)
    }

    private func frames(_ request: Request, _ context: WebContext, _ records: [InstanceRecord]) async throws -> Response {
        let list = context.parameters.get("frames") ?? ""
        let numbers = list.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !numbers.isEmpty, numbers.count <= Self.maximumFramesPerRequest, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw HTTPError(.badRequest, message: "frames: expected a list of frame numbers from 1")
        }
        let root = index.root, record = records[0]
        let stored = try await offPool { try StoredInstance.read(record, root: root) }
        let syntax = stored.transferSyntax
        guard stored.file.dataSet.contains(.pixelData) else { throw HTTPError(.notFound, message: "the instance has no pixel data") }
        let frameNumbers = numbers.compactMap { $0 }
        let choice = try AcceptedSyntax.choose(request, multipartType: "application/octet-stream", stored: [syntax.uid],
                                               canDecode: true)
        if choice == .decoded { return try decodedFrames(frameNumbers, path: stored.path, count: stored.numberOfFrames) }
        guard !syntax.isBigEndian, !syntax.isDeflated else {
            throw HTTPError(.notAcceptable, message: "frames of \(syntax.name) data are not served yet")
        }
        guard let pieces = stored.frames(frameNumbers) else {
            throw HTTPError(.notFound, message: "frame out of range, or the pixel data layout is not supported")
        }
        return framesResponse(pieces, path: stored.path,
                              syntax: syntax.isEncapsulated ? syntax.uid : TransferSyntax.explicitVRLittleEndian.uid)
    }

    /// Frames decoded by `DICOMImaging` to native little-endian samples, one at a time.
    private func decodedFrames(_ numbers: [Int], path: String, count: Int) throws -> Response {
        guard numbers.allSatisfy({ $0 <= count }) else { throw HTTPError(.notFound, message: "frame out of range") }
        let image: DICOMImage
        do {
            image = try DICOMImage(path: path)
        } catch {
            throw HTTPError(.notAcceptable, message: "cannot decode the pixel data: \(error)")
        }
        let multipart = MultipartWriter()
        let partType = "application/octet-stream"
        let body = ResponseBody { writer in
            for number in numbers {
                let bytes = try await offPool { try image.decodedFrame(number - 1).bytes }
                try await writer.write(multipart.partHeader(
                    contentType: "\(partType); transfer-syntax=\(TransferSyntax.explicitVRLittleEndian.uid)",
                    length: Int64(bytes.count)))
                try await writer.write(ByteBuffer(bytes: bytes))
                try await writer.write(multipart.partEnd)
            }
            try await writer.write(multipart.closing)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: multipart.contentType(partType: partType)], body: body)
    }

    private func framesResponse(_ frames: [[StoredInstance.FramePiece]], path: String, syntax: String) -> Response {
        let multipart = MultipartWriter()
        let partType = "application/octet-stream"
        let body = ResponseBody { writer in
            for pieces in frames {
                let length = pieces.reduce(0) { $0 + $1.length }
                try await writer.write(multipart.partHeader(contentType: "\(partType); transfer-syntax=\(syntax)",
                                                            length: Int64(length)))
                for piece in pieces {
                    switch piece {
                    case .bytes(let bytes): try await writer.write(ByteBuffer(bytes: bytes))
                    case .file(let reference):
                        try await MultipartWriter.streamFile(path, offset: Int64(reference.offset),
                                                             length: Int64(reference.length), to: &writer)
                    }
                }
                try await writer.write(multipart.partEnd)
            }
            try await writer.write(multipart.closing)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: multipart.contentType(partType: partType)], body: body)
    }
}

/// The absolute URL prefix of BulkDataURIs: the scheme and host the client used, with this
/// connection's own port (some clients send `Host` without the port).
struct BulkDataBase: Sendable {
    let prefix: String

    init(request: Request, context: WebContext, scheme: String) {
        let host = (request.head.authority ?? "").split(separator: ":").first.map(String.init)
        let localHost = context.localAddress?.ipAddress ?? "127.0.0.1"
        let name = host.flatMap { $0.isEmpty ? nil : $0 } ?? localHost
        let port = context.localAddress?.port.map { ":\($0)" } ?? ""
        prefix = "\(scheme)://\(name)\(port)"
    }

    func instanceURL(_ record: InstanceRecord) -> String {
        "\(prefix)/dicomweb/studies/\(record.study.studyInstanceUID)/series/\(record.series.seriesInstanceUID)"
            + "/instances/\(record.sopInstanceUID)"
    }
}

/// The `Accept` of a WADO-RS retrieve, weighed against what can be sent (PS3.18 §8.7.3.5): the
/// stored transfer syntax, or — for frames — pixels decoded to Explicit VR Little Endian's layout.
/// A range names a part type (`type=`) and optionally a `transfer-syntax`; `*` means the stored
/// one. Without one the standard's default, Explicit VR Little Endian, is meant; for a whole
/// instance, which is not transcoded yet, the stored syntax is sent instead.
enum AcceptedSyntax {
    enum Choice: Equatable {
        case stored
        /// Frames decoded to native little-endian samples.
        case decoded
    }

    static func choose(_ request: Request, multipartType: String, stored: [String], canDecode: Bool) throws -> Choice {
        let ranges = MediaNegotiation.fullRanges(request)
        let native = stored.allSatisfy {
            let syntax = TransferSyntax(uid: $0)
            return syntax.isUncompressed && !syntax.isBigEndian && !syntax.isDeflated
        }
        func explicitLittleEndian() -> Choice? { native ? .stored : canDecode ? .decoded : nil }
        guard !ranges.isEmpty else { return canDecode ? explicitLittleEndian() ?? .stored : .stored }
        for range in ranges {
            let parameters = Self.parameters(range)
            let type = parameters[""] ?? ""
            if type == "*/*" { return .stored }
            guard type == "multipart/related" || type == multipartType || type == "application/*" else { continue }
            let partType = parameters["type"] ?? multipartType
            guard partType == multipartType || partType == "*/*" || partType == "application/*" else { continue }
            let syntax = parameters["transfer-syntax"]
            if syntax == "*" || stored.allSatisfy({ $0 == syntax }) { return .stored }
            if syntax == nil || syntax == TransferSyntax.explicitVRLittleEndian.uid {
                if let choice = explicitLittleEndian() { return choice }
                if syntax == nil, !canDecode { return .stored }
            }
        }
        throw HTTPError(.notAcceptable, message: "stored as \(Set(stored).sorted().joined(separator: ", ")); "
                        + "ask for transfer-syntax=* or the stored syntax")
    }

    /// `type/subtype; a="b"; c=d` as ["": "type/subtype", "a": "b", "c": "d"].
    static func parameters(_ range: String) -> [String: String] {
        var result: [String: String] = [:]
        for (position, part) in range.split(separator: ";").enumerated() {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if position == 0 {
                result[""] = trimmed.lowercased()
                continue
            }
            let pair = trimmed.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            result[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] =
                pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return result
    }
}
