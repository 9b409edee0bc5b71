import DICOMCore
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Prometheus
import TandemArchive

/// `GET /metrics` in the Prometheus text format (any signed-in role: a bearer token or HTTP Basic,
/// as Prometheus scrapes; no patient data): web requests by route and status with latency
/// histograms, failed sign-ins, live sessions, and from the index the archive's totals and the
/// routing queue by state.
final class WebMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let failedLogins: Counter
    private let requestCounters = NIOLockedValueBox<[String: Counter]>([:])
    private let latencies = NIOLockedValueBox<[String: DurationHistogram]>([:])
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    init() {
        failedLogins = registry.makeCounter(descriptor: Self.name("web", "failed_logins", "total",
                                                                  "Sign-ins refused for a wrong user name or password"))
    }

    private static func name(_ subsystem: String, _ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tandem", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    func recordFailedLogin() { failedLogins.increment() }

    /// One finished request. `route` is a fixed name (see `route(method:path:)`), so the label
    /// sets stay few whatever clients send.
    func record(route: String, status: Int, duration: Duration) {
        let key = "\(route) \(status)"
        let counter = requestCounters.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.name("web", "requests", "total", "HTTP requests by route and status"),
                labels: [("route", route), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = latencies.withLockedValue { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.name("web", "request_duration", "seconds", "HTTP request latency by route"),
                labels: [("route", route)], buckets: Self.buckets)
            histograms[route] = histogram
            return histogram
        }
        histogram.record(duration)
    }

    /// The exposition: the registry's collectors, then gauges read from the index now.
    func exposition(index: ArchiveIndex, sessions: SessionStore) throws -> String {
        var text = registry.emitToString()
        let activity = try index.activity()
        let liveSessions = try sessions.liveCount()
        func gauge(_ name: String, _ help: String, _ values: [(labels: String, value: Int64)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (labels, value) in values { text += "\(name)\(labels) \(value)\n" }
        }
        gauge("tandem_archive_studies", "Studies in the index", [("", Int64(activity.studies))])
        gauge("tandem_archive_instances", "Instances received and stored (indexed)", [("", Int64(activity.instances))])
        gauge("tandem_archive_stored_bytes", "Bytes of the archived files", [("", activity.storedBytes)])
        gauge("tandem_routing_jobs", "Routing jobs by state", activity.jobsByState.sorted { $0.key < $1.key }
            .map { ("{state=\"\($0.key)\"}", Int64($0.value)) })
        gauge("tandem_routing_deliveries", "Instances to deliver or delivered, by state",
              activity.deliveriesByState.sorted { $0.key < $1.key }.map { ("{state=\"\($0.key)\"}", Int64($0.value)) })
        gauge("tandem_web_sessions", "Browser sessions alive", [("", Int64(liveSessions))])
        return text
    }

    /// The route label of a request: a fixed vocabulary.
    static func route(method: HTTPRequest.Method, path: String) -> String {
        switch path {
        case "/healthz": return "healthz"
        case "/metrics": return "metrics"
        case "/login": return "login"
        case "/logout": return "logout"
        case "/": return "page"
        default: break
        }
        let segments = path.split(separator: "/")
        switch segments.first {
        case "assets": return "assets"
        case "viewer" where segments.count > 2 && segments[1] == "api":
            return segments.last == "pixels" ? "viewer_pixels" : segments.last == "geometry" ? "viewer_geometry" : "other"
        case "viewer": return "page"
        case "api" where segments.count >= 2: return "api_" + (segments[1].allSatisfy(\.isLetter) ? segments[1] : "other")
        default: break
        }
        guard segments.first == "dicomweb", let last = segments.last else { return "other" }
        if method == .post { return "stow" }
        if ["studies", "series", "instances"].contains(last) { return "qido" }
        for resource in ["metadata", "rendered", "thumbnail", "frames", "bulkdata"] where segments.contains(Substring(resource)) {
            return "wado_" + resource
        }
        return "wado"
    }
}

struct MetricsRoutes {
    let metrics: WebMetrics
    let index: ArchiveIndex
    let sessions: SessionStore

    func register(on router: Router<WebContext>) {
        router.get("/metrics") { _, context -> Response in
            try context.authorize(.read)
            let metrics = self.metrics, index = self.index, sessions = self.sessions
            let text = try await BlockingWork.run { try metrics.exposition(index: index, sessions: sessions) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
