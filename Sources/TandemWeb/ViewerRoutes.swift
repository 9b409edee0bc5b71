import DICOMCore
import DICOMImaging
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// The viewer's server side (docs/reading-room.md, "The viewer"): the page at `/viewer/{study}`
/// (the static `viewer/index.html`; its modules build everything) and two series resources shaped
/// for it — the geometry of every frame, from the index's metadata cache (headers only on a miss),
/// and every frame's pixels decoded to native little-endian samples (colour as 8-bit RGB),
/// streamed in viewing order as one `multipart/related` response so that a series costs one
/// request (and one audit row) instead of one per frame. Window/level is applied in the browser.
struct ViewerRoutes {
    let index: ArchiveIndex
    let assets: StaticAssets

    static let seriesBase = "/viewer/api/studies/:study/series/:series"

    func register(on router: Router<WebContext>) {
        router.get("/viewer/:study") { request, context in try page(request, context) }
        router.get(RouterPath(Self.seriesBase + "/geometry")) { request, context in try await geometry(request, context) }
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

    /// The series' present instances, with their index row ids.
    private func seriesInstances(_ context: WebContext) throws -> [CachedInstance] {
        try context.authorize(.read)
        let instances = try index.cachedInstances(studyInstanceUID: try context.uid("study"),
                                                  seriesInstanceUID: try context.uid("series"))
        guard !instances.isEmpty else { throw HTTPError(.notFound, message: "no such series") }
        return instances
    }

    /// From the metadata cache (`MetadataFiller` keeps it filled): one indexed read for the whole
    /// series; only an instance not cached yet has its header read from its file. `?instances=N`
    /// answers for the first N instances in viewing order only: the viewer asks for the first
    /// alone to draw it at once, while the whole series' geometry is on its way.
    private func geometry(_ request: Request, _ context: WebContext) async throws -> Response {
        let instances = try seriesInstances(context), index = self.index
        let limit = try request.uri.queryParameters["instances"].map { text in
            guard let value = Int(String(text)), value > 0 else {
                throw HTTPError(.badRequest, message: "instances: a positive number of instances")
            }
            return value
        }
        let json = try await BlockingWork.run {
            let geometry = try SeriesGeometry.read(instances, limit: limit, root: index.root) {
                try index.cachedMetadata($0, format: InstanceMetadata.format)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return try encoder.encode(geometry)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "private, max-age=60"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Every frame of the series, decoded by `DICOMImaging` (one frame in memory at a time) to the
    /// layout of Explicit VR Little Endian, one part each, located by its WADO-RS frame URL. An
    /// instance that cannot be decoded is left out (the viewer shows that image as unavailable).
    private func pixels(_ context: WebContext) async throws -> Response {
        let records = SeriesGeometry.viewingOrder(try seriesInstances(context).map(\.record)), root = index.root
        let multipart = MultipartWriter()
        let partType = "application/octet-stream"
        let contentType = "\(partType); transfer-syntax=\(TransferSyntax.explicitVRLittleEndian.uid)"
        let body = ResponseBody { writer in
            for record in records {
                let path = root.url(relativePath: record.filePath).path
                guard let image = try? await BlockingWork.run({ try DICOMImage(path: path) }) else { continue }
                let location = "/dicomweb/studies/\(record.study.studyInstanceUID)/series/\(record.series.seriesInstanceUID)"
                    + "/instances/\(record.sopInstanceUID)/frames/"
                for frame in 0..<min(image.frameCount, SeriesGeometry.maximumFrames) {
                    guard let bytes = try? await BlockingWork.run({ try Self.frameBytes(image, frame) }) else { break }
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

    /// A frame as the geometry describes it: greyscale as decoded (window/level is the browser's),
    /// colour as `/rendered` draws it — 8-bit RGB interleaved, converted from YBR_FULL(_422), a
    /// palette, planar configuration 1 or deeper samples by `FrameRenderer`.
    static func frameBytes(_ image: DICOMImage, _ frame: Int) throws -> [UInt8] {
        let decoded = try image.decodedFrame(frame)
        guard !decoded.description.photometricInterpretation.isMonochrome else { return decoded.bytes }
        return try FrameRenderer(dataSet: image.dataSet).render(decoded, frame: frame).pixels
    }
}
