import DICOMCore
import DICOMImaging
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// WADO-RS (PS3.18 §10.4): instances, series and studies as `multipart/related;
/// type="application/dicom"` streamed from the stored files; `/metadata` as DICOM JSON with
/// BulkDataURIs; `/bulkdata/{tag}`; `/frames/{list}` of the stored pixel data. Instances are
/// served as stored or in Explicit VR Little Endian (`InstanceEncoding`); 406 for what cannot be.
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
            try await metadata(request, context, try metadataEntries(context, levels: 1))
        }
        router.get(RouterPath(series + "/metadata")) { request, context in
            try await metadata(request, context, try metadataEntries(context, levels: 2))
        }
        router.get(RouterPath(instance + "/metadata")) { request, context in
            try await metadata(request, context, try metadataEntries(context, levels: 3))
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
        let encodings = try InstanceEncoding.choose(request, stored: records.map(\.transferSyntaxUID))
        let root = index.root
        let retrieve = RetrieveBody(multipart: MultipartWriter(), parts: zip(records, encodings).map { record, encoding in
            RetrieveBody.Part(path: root.url(relativePath: record.filePath).path, transferSyntaxUID: record.transferSyntaxUID,
                              fileSize: record.fileSize, encoding: encoding)
        })
        let multipart = retrieve.multipart
        let body = ResponseBody { writer in
            try await ChunkHandoff.relay({ try retrieve.produce($0) }) { try await writer.write($0) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: multipart.contentType(partType: "application/dicom")], body: body)
    }

    // MARK: Metadata

    /// The instances the path names with their index ids, for the metadata cache; 404 when none.
    private func metadataEntries(_ context: WebContext, levels: Int) throws -> [MetadataEntry] {
        try context.authorize(.read)
        let study = try context.uid("study")
        let series = levels >= 2 ? try context.uid("series") : nil
        let instance = levels >= 3 ? try context.uid("instance") : nil
        let found = try index.metadataEntries(studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: instance)
        guard !found.isEmpty else { throw HTTPError(.notFound, message: "no such study, series or instance") }
        return found
    }

    /// Instances' metadata read from the cache (`InstanceMetadata`) a page at a time; a page's misses
    /// are read from their files, sent, and then stored for the next request.
    private func metadata(_ request: Request, _ context: WebContext, _ entries: [MetadataEntry]) async throws -> Response {
        try MediaNegotiation.requireAcceptable(request, offered: ["application/dicom+json", "application/json"])
        let index = self.index
        let base = BulkDataBase(request: request, context: context, scheme: scheme)
        let body = ResponseBody { writer in
            var first = true
            for start in stride(from: 0, to: entries.count, by: Self.metadataPageSize) {
                let page = entries[start..<min(start + Self.metadataPageSize, entries.count)]
                let (templates, built) = try await BlockingWork.run {
                    let cached = try index.metadataPage(page.map(\.instanceID), format: InstanceMetadata.format)
                    var templates = cached.templates
                    var built: [(instanceID: Int64, json: Data)] = []
                    for instance in cached.misses {
                        let template = try InstanceMetadata.template(instance.record, root: index.root)
                        templates[instance.instanceID] = template
                        built.append((instance.instanceID, template))
                    }
                    return (templates, built)
                }
                var buffer = ByteBuffer()
                buffer.reserveCapacity(templates.values.reduce(0) { $0 + $1.count } + page.count * 256)
                for entry in page {
                    guard let template = templates[entry.instanceID] else { continue }
                    buffer.writeString(first ? "[" : ",")
                    first = false
                    InstanceMetadata.append(template, instanceURL: base.instanceURL(entry), to: &buffer)
                }
                try await writer.write(buffer)
                if !built.isEmpty {
                    // Stored apart from the response: a busy index delays the next reader's hit, not this answer.
                    Task { try? await index.storeMetadata(built, format: InstanceMetadata.format) }
                }
            }
            try await writer.write(ByteBuffer(string: first ? "[]" : "]"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/dicom+json"], body: body)
    }

    /// Instances per cache read: memory stays bounded whatever the study's size.
    static let metadataPageSize = 256

    // MARK: Bulk data and frames

    private func bulkData(_ request: Request, _ context: WebContext, _ records: [InstanceRecord]) async throws -> Response {
        guard let text = context.parameters.get("tag"), text.count == 8, let value = UInt32(text, radix: 16) else {
            throw HTTPError(.badRequest, message: "bulkdata: expected a tag as 8 hex digits")
        }
        let root = index.root, record = records[0]
        let stored = try await BlockingWork.run { try StoredInstance.read(record, root: root) }
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
        let stored = try await BlockingWork.run { try StoredInstance.read(record, root: root) }
        let syntax = stored.transferSyntax
        guard stored.file.dataSet.contains(.pixelData) else { throw HTTPError(.notFound, message: "the instance has no pixel data") }
        let frameNumbers = numbers.compactMap { $0 }
        let choice = try AcceptedSyntax.choose(request, multipartType: "application/octet-stream", stored: syntax.uid)
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
                let bytes = try await BlockingWork.run { try image.decodedFrame(number - 1).bytes }
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

    func instanceURL(_ entry: MetadataEntry) -> String {
        "\(prefix)/dicomweb/studies/\(entry.studyInstanceUID)/series/\(entry.seriesInstanceUID)"
            + "/instances/\(entry.sopInstanceUID)"
    }
}

/// The `Accept` of a frames retrieve, weighed against what can be sent (PS3.18 §8.7.3): the
/// stored pixel data, or pixels decoded to Explicit VR Little Endian's layout. A range names a
/// part type (`type=`) and optionally a `transfer-syntax`; `*` means the stored one. Without
/// one, the default of `application/octet-stream`, Explicit VR Little Endian (§8.7.3.4), is
/// meant: compressed frames are decoded.
enum AcceptedSyntax {
    enum Choice: Equatable {
        case stored
        /// Frames decoded to native little-endian samples.
        case decoded
    }

    static func choose(_ request: Request, multipartType: String, stored: String) throws -> Choice {
        let syntax = TransferSyntax(uid: stored)
        let native = syntax.isUncompressed && !syntax.isBigEndian && !syntax.isDeflated
        let explicitLittleEndian: Choice = native ? .stored : .decoded
        let ranges = MediaNegotiation.fullRanges(request)
        guard !ranges.isEmpty else { return explicitLittleEndian }
        for range in ranges {
            let parameters = Self.parameters(range)
            let type = parameters[""] ?? ""
            if type == "*/*" { return .stored }
            guard type == "multipart/related" || type == multipartType || type == "application/*" else { continue }
            let partType = parameters["type"] ?? multipartType
            guard partType == multipartType || partType == "*/*" || partType == "application/*" else { continue }
            let requested = parameters["transfer-syntax"]
            if requested == "*" || requested == stored { return .stored }
            if requested == nil || requested == TransferSyntax.explicitVRLittleEndian.uid { return explicitLittleEndian }
        }
        throw HTTPError(.notAcceptable, message: "stored as \(stored); ask for transfer-syntax=*, the stored syntax, "
                        + "or \(TransferSyntax.explicitVRLittleEndian.uid)")
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
