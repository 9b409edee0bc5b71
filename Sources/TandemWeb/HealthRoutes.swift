import Foundation
import Hummingbird
import TandemArchive

/// `GET /healthz`, the only route without a login: 200 when the index is readable, the data root
/// writable and this process still holds the cluster epoch; 503 naming the failed check otherwise.
/// A load balancer or the cluster manager's monitor polls it.
struct HealthRoutes {
    let index: ArchiveIndex

    func register(on router: Router<WebContext>) {
        router.get("/healthz") { _, _ -> Response in
            let index = self.index
            let failure: String? = try await offPool { Self.check(index) }
            guard let failure else { return Self.text(.ok, "ok\n") }
            return Self.text(.serviceUnavailable, "unhealthy: \(failure)\n")
        }
    }

    private static func check(_ index: ArchiveIndex) -> String? {
        do { _ = try index.counts() } catch { return "index not readable: \(error)" }
        do { try index.checkEpoch() } catch { return "\(error)" }
        // access(2) reports a read-only mount (EROFS) too, without leaving a probe file behind.
        for directory in [index.root.objectsDirectory, index.root.incomingDirectory]
        where access(directory.path, W_OK) != 0 {
            return "\(directory.path) not writable: \(String(cString: strerror(errno)))"
        }
        return nil
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
