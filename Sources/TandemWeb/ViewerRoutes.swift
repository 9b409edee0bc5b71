import DICOMCore
import DICOMImaging
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// The viewer's server side (docs/reading-room.md, "The viewer"): the page at `/viewer/{study}`
/// (the static `viewer/index.html`; its modules build everything) and two series resources shaped
/// for it — the geometry of every frame, from the headers
/// only, and every frame's pixels decoded to native little-endian samples, streamed in viewing
/// order as one `multipart/related` response so that a series costs one request (and one audit
/// row) instead of one per frame. Window/level is applied in the browser.
struct ViewerRoutes {
    let index: ArchiveIndex
    let assets: StaticAssets

    static let seriesBase = "/viewer/api/studies/:study/series/:series"

    func register(on router: Router<WebContext>) {
        router.get("/viewer/:study") { request, context in try page(request, context) }
        router.get(RouterPath(Self.seriesBase + "/geometry")) { _, context in try await geometry(context) }
        router.get(RouterPath(Self.seriesBase + "/pixels")) { _, context in try await pixels(context) }
    }

    /// The page, for an archived study only (the script reads the UID from the path).
    private func page(_ request: Request, _ context: WebContext) throws -> Response {
        try context.authorize(.read)
        guard try index.study(studyInstanceUID: try context.uid("study")) != nil else {
            throw HTTPError(.notFound, message: "no such study")
        }
        return assets.response(for: "viewer/index.html", request: request)
    }

    private func seriesRecords(_ context: WebContext) throws -> [InstanceRecord] {
        try context.authorize(.read)
        let records = try index.instances(studyInstanceUID: try context.uid("study"),
                                          seriesInstanceUID: try context.uid("series"))
            .filter { $0.missingSince == nil }.map(\.record)
        guard !records.isEmpty else { throw HTTPError(.notFound, message: "no such series") }
        return records
    }

    private func geometry(_ context: WebContext) async throws -> Response {
        let records = try seriesRecords(context), root = index.root
        let json = try await offPool {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return try encoder.encode(try SeriesGeometry.read(records, root: root))
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "private, max-age=60"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Every frame of the series, decoded by `DICOMImaging` (one frame in memory at a time) to the
    /// layout of Explicit VR Little Endian, one part each, located by its WADO-RS frame URL. An
    /// instance that cannot be decoded is left out (the viewer shows that image as unavailable).
    private func pixels(_ context: WebContext) async throws -> Response {
        let records = SeriesGeometry.viewingOrder(try seriesRecords(context)), root = index.root
        let multipart = MultipartWriter()
        let partType = "application/octet-stream"
        let contentType = "\(partType); transfer-syntax=\(TransferSyntax.explicitVRLittleEndian.uid)"
        let body = ResponseBody { writer in
            for record in records {
                let path = root.url(relativePath: record.filePath).path
                guard let image = try? await offPool({ try DICOMImage(path: path) }) else { continue }
                let location = "/dicomweb/studies/\(record.study.studyInstanceUID)/series/\(record.series.seriesInstanceUID)"
                    + "/instances/\(record.sopInstanceUID)/frames/"
                for frame in 0..<min(image.frameCount, SeriesGeometry.maximumFrames) {
                    guard let bytes = try? await offPool({ try image.decodedFrame(frame).bytes }) else { break }
                    try await writer.write(multipart.partHeader(contentType: contentType, length: Int64(bytes.count),
                                                                location: location + String(frame + 1)))
                    try await writer.write(ByteBuffer(bytes: bytes))
                    try await writer.write(multipart.partEnd)
                }
            }
            try await writer.write(multipart.closing)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: multipart.contentType(partType: partType)], body: body)
    }
}
