import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One line per request on the log (stderr): client, user, method, path, status, bytes, ms
/// (docs/dicomweb.md, "Access log"). A streamed body is counted as it is written and the line
/// logged when it ends; the query string is left out (it may carry patient names).
struct AccessLog: RouterMiddleware {
    typealias Context = WebContext
    let logger: Logger
    let metrics: WebMetrics

    func handle(_ request: Request, context: WebContext,
                next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let line = AccessLine(logger: logger, metrics: metrics, client: context.clientAddress, notes: context.notes,
                              method: request.method.rawValue,
                              route: WebMetrics.route(method: request.method, path: request.uri.path),
                              path: request.uri.path, start: start)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            line.log(status: status.code, bytes: 0)
            throw error
        }
        let status = response.status.code
        if let length = response.body.contentLength, length == 0 {
            line.log(status: status, bytes: 0)
            return response
        }
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            let counter = ByteCounter()
            do {
                try await body.write(CountingWriter(base: writer, counter: counter))
                line.log(status: status, bytes: counter.value)
            } catch {
                line.log(status: status, bytes: counter.value, aborted: true)
                throw error
            }
        }
        return response
    }
}

private struct AccessLine: Sendable {
    let logger: Logger
    let metrics: WebMetrics
    let client: String
    let notes: RequestNotes
    let method: String
    let route: String
    let path: String
    let start: ContinuousClock.Instant

    func log(status: Int, bytes: Int, aborted: Bool = false) {
        let elapsed = ContinuousClock.now - start
        metrics.record(route: route, status: status, duration: elapsed)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "client": "\(client)", "user": "\(notes.user?.name ?? "-")", "method": "\(method)", "path": "\(path)",
            "status": "\(status)", "bytes": "\(bytes)", "ms": "\(String(format: "%.1f", ms))",
        ]
        if aborted { metadata["aborted"] = "true" }
        logger.info("request", metadata: metadata)
    }
}

private final class ByteCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    func add(_ bytes: Int) { count.withLockedValue { $0 += bytes } }
    var value: Int { count.withLockedValue { $0 } }
}

private struct CountingWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    let counter: ByteCounter

    mutating func write(_ buffer: ByteBuffer) async throws {
        counter.add(buffer.readableBytes)
        try await base.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
    }
}
