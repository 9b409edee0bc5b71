import DICOMCore
import Foundation
import Hummingbird
import TandemArchive

/// `GET /healthz`, the only route without a login: 200 when the index is readable, the data root
/// writable and this node active (this process still runs under the current cluster epoch, so
/// its node is the holder; or the data root was never promoted); 503 naming the failed check
/// otherwise. The body says which node holds which epoch. `clusterctl monitor` and a load
/// balancer poll it.
struct HealthRoutes {
    let index: ArchiveIndex

    func register(on router: Router<WebContext>) {
        router.get("/healthz") { _, _ -> Response in
            let index = self.index
            let verdict: Result<String, HealthFailure> = try await BlockingWork.run { Self.check(index) }
            switch verdict {
            case .success(let active): return Self.text(.ok, "ok: \(active)\n")
            case .failure(let failure): return Self.text(.serviceUnavailable, "unhealthy: \(failure.reason)\n")
            }
        }
    }

    struct HealthFailure: Error {
        var reason: String
    }

    private static func check(_ index: ArchiveIndex) -> Result<String, HealthFailure> {
        let state: ClusterState
        do {
            _ = try index.counts()
            state = try index.clusterState()
        } catch {
            return .failure(HealthFailure(reason: "index not readable: \(error)"))
        }
        do { try index.checkEpoch() } catch { return .failure(HealthFailure(reason: "this node is not active: \(error)")) }
        // access(2) reports a read-only mount (EROFS) too, without leaving a probe file behind.
        for directory in [index.root.objectsDirectory, index.root.incomingDirectory]
        where access(directory.path, W_OK) != 0 {
            return .failure(HealthFailure(reason: "\(directory.path) not writable: \(String(cString: strerror(errno)))"))
        }
        return .success(state.holder.map { "this node active (\($0), epoch \(state.epoch))" }
                        ?? "this node active (single node, epoch \(state.epoch))")
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
