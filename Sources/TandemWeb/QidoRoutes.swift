import DICOMCore
import HTTPTypes
import Hummingbird
import TandemArchive

/// QIDO-RS (PS3.18 §10.6): `/dicomweb/studies`, `/series`, `/instances` and the nested forms,
/// answered as `application/dicom+json` from the index alone.
struct QidoRoutes {
    let index: ArchiveIndex
    let options: QueryOptions

    func register(on router: Router<WebContext>) {
        let base = "/dicomweb"
        router.get("\(base)/studies") { request, context in
            try await search(.study, fixed: [], request, context)
        }
        router.get("\(base)/series") { request, context in
            try await search(.series, fixed: [], request, context)
        }
        router.get("\(base)/instances") { request, context in
            try await search(.image, fixed: [], request, context)
        }
        router.get("\(base)/studies/:study/series") { request, context in
            try await search(.series, fixed: [(.studyInstanceUID, context.uid("study"))], request, context)
        }
        router.get("\(base)/studies/:study/instances") { request, context in
            try await search(.image, fixed: [(.studyInstanceUID, context.uid("study"))], request, context)
        }
        router.get("\(base)/studies/:study/series/:series/instances") { request, context in
            try await search(.image, fixed: [(.studyInstanceUID, context.uid("study")),
                                              (.seriesInstanceUID, context.uid("series"))], request, context)
        }
    }

    private func search(_ level: QueryLevel, fixed: [(Tag, String)], _ request: Request,
                        _ context: WebContext) async throws -> Response {
        try context.authorize(.read)
        try MediaNegotiation.requireAcceptable(request, offered: ["application/dicom+json", "application/json"])
        let parameters = request.uri.queryParameters.map { (key: String($0.key), value: String($0.value)) }
        let query: QidoQuery
        let queryRequest: QueryRequest
        do {
            query = try QidoQuery(level: level, fixed: fixed, parameters: parameters)
            queryRequest = try query.request(options: options)
        } catch let failure as QidoQuery.Failure {
            throw HTTPError(.badRequest, message: failure.description)
        } catch let error as QueryError {
            throw HTTPError(.badRequest, message: error.description)
        }
        let page: QueryPage
        do {
            page = try await index.find(queryRequest, paging: query.paging)
        } catch let error as QueryError {
            throw HTTPError(.badRequest, message: error.description)
        }
        var writer = DicomJSONWriter()
        for (position, match) in page.matches.enumerated() {
            var answered = match
            // includefield of an attribute the index does not keep: left out rather than sent empty.
            answered.attributes = match.attributes.filter { QueryAttributes.vr(of: $0.key) != nil }
            if position > 0 { writer.append(",") }
            writer.write(answered)
        }
        var response = Response(status: .ok, headers: [.contentType: "application/dicom+json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "[" + writer.text + "]")))
        var warnings: [String] = []
        if page.hasMore { warnings.append("There are additional results that can be requested") }
        if query.limitLowered { warnings.append("limit lowered to \(QueryPaging.maximumLimit)") }
        if query.fuzzyMatchingAsked { warnings.append("fuzzymatching is not supported") }
        if !warnings.isEmpty {
            // PS3.18 §8.3.3.2: partial or adjusted results carry a Warning header.
            response.headers[HTTPField.Name("Warning")!] = warnings.map { "299 tandem: \"\($0)\"" }.joined(separator: ", ")
        }
        return response
    }
}

extension WebContext {
    /// A UID path segment, validated (PS3.5 §9.1: digits and dots, at most 64) before it reaches
    /// the index or a file name; 400 otherwise.
    func uid(_ name: String) throws -> String {
        guard let text = parameters.get(name) else { throw HTTPError(.badRequest, message: "missing \(name) UID") }
        do {
            return try ValidatedUID(text).value
        } catch {
            throw HTTPError(.badRequest, message: "\(name) UID: \(error)")
        }
    }
}
