import Foundation
import Logging
import ServiceLifecycle
import TandemArchive

/// Records the claims that lapse (`[web] reading_timeout` without a heartbeat) as they lapse,
/// so the audit trail shows when a study left in progress became unread again even when nobody
/// touches it afterwards. The worklist and the status rules read a lapsed claim as unread
/// already; this only writes down what happened, every `interval`, fenced like every write.
struct ReadingLapseWatch: Service {
    let store: ReadingStatusStore
    let logger: Logger

    /// A quarter of the timeout (the pages' heartbeat period), between 1 and 30 seconds.
    var interval: Duration {
        .milliseconds(Int64(min(max(store.readingTimeout / 4, 1), 30) * 1000))
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await watch() }
        } catch is CancellationError {
            return
        }
    }

    private func watch() async throws {
        while true {
            try await Task.sleep(for: interval)
            do {
                for entry in try await store.recordLapses() {
                    logger.info("reading status: \(entry.studyUID ?? "") lapsed (\(entry.user) sent no heartbeat)")
                }
            } catch let stop as FencedError {
                throw stop
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The index busy or briefly unreadable: the next round records what lapsed meanwhile.
                logger.warning("reading status lapses: \(error)")
            }
        }
    }
}
