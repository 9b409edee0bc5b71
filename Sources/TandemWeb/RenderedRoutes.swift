import DICOMCore
import DICOMImaging
import Foundation
import Hummingbird
import NIOCore
import TandemArchive

/// WADO-RS rendered resources (PS3.18 §10.4.1.1.3, §8.3.5): `…/instances/{uid}/rendered`,
/// `…/frames/{n}/rendered`, `…/thumbnail` (PS3.18 §10.4.1.1.4: of an instance, a frame, a series —
/// its middle image in the viewer's order — or a study: that of its first series, in Series Number
/// order, that renders), as `image/jpeg` (the default) or `image/png`, with
/// the `window`, `viewport` and `quality` parameters; VOI, modality LUT and MONOCHROME1
/// inversion come from `DICOMImaging`'s renderer. One frame at a time is decoded.
struct RenderedRoutes {
    let index: ArchiveIndex

    /// Thumbnails fit in this square unless a viewport says otherwise.
    static let thumbnailSize = 128
    /// The largest viewport side accepted (a rendered image never grows, so this bounds memory).
    static let maximumViewport = 4_096
    /// A study's thumbnail tries this many series at most (reports and presentation states come
    /// first in some studies), so a study of many non-image series is answered in bounded time.
    static let studyThumbnailSeriesTried = 8

    struct Parameters: Equatable {
        var window: Window?
        var viewport: Int?
        var quality = 90

        /// `window=center,width[,function]`, `viewport=vw,vh` (the larger side bounds the image),
        /// `quality=1…100`; unknown parameters are refused (400).
        init(_ query: [(key: String, value: String)]) throws(QidoQuery.Failure) {
            for (name, value) in query {
                let parts = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                switch name {
                case "window":
                    guard parts.count == 2 || parts.count == 3, let center = Double(parts[0]), let width = Double(parts[1]),
                          center.isFinite, width.isFinite, width > 0 else {
                        throw QidoQuery.Failure("window must be center,width[,linear|linear-exact|sigmoid]")
                    }
                    var function = Window.Function.linear
                    if parts.count == 3 {
                        switch parts[2].lowercased() {
                        case "linear": function = .linear
                        case "linear-exact", "linear_exact": function = .linearExact
                        case "sigmoid": function = .sigmoid
                        default: throw QidoQuery.Failure("unknown window function \(parts[2].prefix(32))")
                        }
                    }
                    window = Window(center: center, width: width, function: function)
                case "viewport":
                    guard parts.count == 2 || parts.count == 4, let width = Int(parts[0]), let height = Int(parts[1]),
                          (1...maximumViewport).contains(width), (1...maximumViewport).contains(height) else {
                        throw QidoQuery.Failure("viewport must be vw,vh within 1…\(maximumViewport)")
                    }
                    viewport = max(width, height)
                case "quality":
                    guard let number = Int(value), (1...100).contains(number) else {
                        throw QidoQuery.Failure("quality must be 1…100")
                    }
                    quality = number
                default:
                    throw QidoQuery.Failure("unknown parameter \(name.prefix(64))")
                }
            }
        }
    }

    func register(on router: Router<WebContext>) {
        let instance = "/dicomweb/studies/:study/series/:series/instances/:instance"
        router.get(RouterPath("/dicomweb/studies/:study/thumbnail")) { request, context in
            try await render(request, context, frame: 1, thumbnail: true)
        }
        router.get(RouterPath("/dicomweb/studies/:study/series/:series/thumbnail")) { request, context in
            try await render(request, context, frame: 1, thumbnail: true)
        }
        router.get(RouterPath(instance + "/rendered")) { request, context in
            try await render(request, context, frame: 1, thumbnail: false)
        }
        router.get(RouterPath(instance + "/thumbnail")) { request, context in
            try await render(request, context, frame: 1, thumbnail: true)
        }
        router.get(RouterPath(instance + "/frames/:frames/rendered")) { request, context in
            try await render(request, context, frame: try Self.frameNumber(context), thumbnail: false)
        }
        router.get(RouterPath(instance + "/frames/:frames/thumbnail")) { request, context in
            try await render(request, context, frame: try Self.frameNumber(context), thumbnail: true)
        }
    }

    private static func frameNumber(_ context: WebContext) throws -> Int {
        guard let text = context.parameters.get("frames"), let number = Int(text), number >= 1 else {
            throw HTTPError(.badRequest, message: "expected one frame number from 1")
        }
        return number
    }

    private func render(_ request: Request, _ context: WebContext, frame: Int, thumbnail: Bool) async throws -> Response {
        try context.authorize(.read)
        let parameters: Parameters
        do {
            parameters = try Parameters(request.uri.queryParameters.map { (key: String($0.key), value: String($0.value)) })
        } catch {
            throw HTTPError(.badRequest, message: error.description)
        }
        let mediaType = try Self.mediaType(request)
        let candidates = try representativeInstances(context)
        guard !candidates.isEmpty else { throw HTTPError(.notFound, message: "no such instance") }
        let maximumSize = parameters.viewport ?? (thumbnail ? Self.thumbnailSize : nil)
        var refusal: ImagingError?
        for record in candidates {
            let path = index.root.url(relativePath: record.filePath).path
            do {
                let encoded = try await BlockingWork.run {
                    let image = try DICOMImage(path: path)
                    guard frame <= image.frameCount else { throw HTTPError(.notFound, message: "frame \(frame) out of range") }
                    var rendered = try image.rendered(frame: frame - 1, window: parameters.window)
                    if let maximumSize { rendered = rendered.thumbnail(maximumSize: maximumSize) }
                    return mediaType == "image/png" ? try rendered.pngData() : try rendered.jpegData(quality: parameters.quality)
                }
                return Response(status: .ok, headers: [.contentType: mediaType],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded)))
            } catch let error as ImagingError {
                // Not an image, or one this build cannot decode or render: a study tries its next series.
                refusal = error
            }
        }
        throw HTTPError(.notAcceptable, message: "cannot render: \(refusal.map { "\($0)" } ?? "no image")")
    }

    /// The instances a rendered resource may show, in the order to try them: the instance named;
    /// a series' middle image in viewing order; for a study, the middle image of each of its first
    /// series (Series Number order), so a report or presentation state series is passed over.
    private func representativeInstances(_ context: WebContext) throws -> [InstanceRecord] {
        let study = try context.uid("study")
        guard context.parameters.get("series") != nil else {
            var seriesOrder: [String] = []
            var bySeries: [String: [InstanceRecord]] = [:]
            for instance in try index.instances(studyInstanceUID: study) where instance.missingSince == nil {
                let series = instance.record.series.seriesInstanceUID
                if bySeries[series] == nil { seriesOrder.append(series) }
                bySeries[series, default: []].append(instance.record)
            }
            return seriesOrder.prefix(Self.studyThumbnailSeriesTried).compactMap { Self.middle(of: bySeries[$0] ?? []) }
        }
        let wholeSeries = context.parameters.get("instance") == nil
        let records = try index.instances(studyInstanceUID: study, seriesInstanceUID: try context.uid("series"),
                                          sopInstanceUID: wholeSeries ? nil : try context.uid("instance"))
            .filter { $0.missingSince == nil }.map(\.record)
        return Self.middle(of: records).map { [$0] } ?? []
    }

    private static func middle(of records: [InstanceRecord]) -> InstanceRecord? {
        let ordered = SeriesGeometry.viewingOrder(records)
        return ordered.isEmpty ? nil : ordered[ordered.count / 2]
    }

    /// image/jpeg unless the Accept header prefers image/png; 406 when it allows neither.
    static func mediaType(_ request: Request) throws -> String {
        let ranges = MediaNegotiation.ranges(request)
        if ranges.isEmpty { return "image/jpeg" }
        for range in ranges {
            switch range {
            case "image/jpeg", "image/*", "*/*": return "image/jpeg"
            case "image/png": return "image/png"
            default: continue
            }
        }
        throw HTTPError(.notAcceptable, message: "can render image/jpeg or image/png")
    }
}
