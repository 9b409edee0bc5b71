import DICOMCore
import Dispatch
import DICOMNetwork
import Foundation
import Logging
import TandemArchive

/// Where and how the listener runs.
public struct ListenerSettings: Sendable {
    public var bind: String
    public var port: Int
    /// How long in-flight associations may take to finish after SIGTERM/SIGINT.
    public var gracePeriod: Duration
    /// `[limits]`: connection and association caps.
    public var limits: LimitsSettings

    public init(bind: String, port: Int, gracePeriod: Duration = .seconds(30), limits: LimitsSettings = LimitsSettings()) {
        self.bind = bind
        self.port = port
        self.gracePeriod = gracePeriod
        self.limits = limits
    }

    /// The acceptor's limits; with `require_known_callers`, other addresses are closed at accept.
    func connectionLimits(policy: AssociationPolicy) -> ConnectionLimits {
        ConnectionLimits(maximumAssociations: limits.maxAssociations,
                         maximumUnassociatedConnections: limits.maxUnassociatedConnections,
                         maximumUnassociatedPerAddress: limits.maxUnassociatedPerAddress,
                         maximumAssociateRQBytes: limits.maxAssociateRQBytes,
                         allowedAddresses: policy.allowedAddresses)
    }
}

/// Why the listener stopped.
public enum ReceiverStop: Sendable, Equatable {
    /// SIGTERM or SIGINT: stopped accepting, in-flight associations finished or the grace period ran out.
    case signal(Int32)
    /// Another node took over (docs/design.md, "Cluster model"): this process must exit and not act.
    case fenced(String)
}

/// The DICOM listener: binds, serves associations with `StorageServiceHandler` until a signal or
/// a fence stops it, then lets in-flight associations finish within the grace period.
public enum ReceiverService {
    /// Thrown when the listening socket cannot be bound (exit 74).
    public struct BindError: Error, CustomStringConvertible {
        public let address: String
        public let reason: String
        public var description: String { "cannot listen on \(address): \(reason)" }
    }

    /// - Parameter signals: SIGTERM/SIGINT as they arrive; the first one stops the service.
    public static func run(pipeline: StorePipeline, policy: AssociationPolicy, query: QuerySettings = QuerySettings(),
                           peers: [PeerSettings] = [], commitment: CommitmentSettings = CommitmentSettings(),
                           retry: RetrySettings = RetrySettings(),
                           listener: ListenerSettings, signals: AsyncStream<Int32>, logger: Logger) async throws -> ReceiverStop {
        let (stops, stopper) = AsyncStream.makeStream(of: ReceiverStop.self)
        let forwarding = Task {
            for await number in signals { stopper.yield(.signal(number)) }
        }
        defer { forwarding.cancel() }
        let handler = StorageServiceHandler(pipeline: pipeline, policy: policy, query: query, peers: peers,
                                            commitment: commitment, retry: retry, logger: logger) { fenced in
            stopper.yield(.fenced(fenced.description))
        }
        var configuration = try AssociationConfiguration(aeTitle: AETitle(policy.aeTitle))
        configuration.maximumOperationsInvoked = UInt16(listener.limits.asyncOperationsWindow)
        let acceptor: AssociationAcceptor
        do {
            acceptor = try await AssociationAcceptor(host: listener.bind, port: listener.port,
                                                     configuration: configuration, handler: handler,
                                                     // C-GET: the requestor stores what it retrieves (PS3.4 C.4.3.3).
                                                     scpRoleSOPClasses: Set(UIDDictionary.storageSOPClasses),
                                                     limits: listener.connectionLimits(policy: policy), logger: logger)
        } catch {
            throw BindError(address: "\(listener.bind):\(listener.port)", reason: "\(error)")
        }
        logger.info("listening", metadata: ["ae_title": "\(policy.aeTitle)", "bind": "\(listener.bind)",
                                           "port": "\(acceptor.localPort)", "root": "\(pipeline.root.url.path)",
                                           "epoch": "\(pipeline.index.epoch)"])
        let needed = OpenFileLimit.needed(for: listener.limits)
        let openFiles = OpenFileLimit.raise(toAtLeast: needed)
        if openFiles < needed {
            logger.warning("open-file limit below what max_associations and async_operations_window may need",
                           metadata: ["limit": "\(openFiles)", "needed": "\(needed)"])
        }
        for caller in policy.unresolvedCallers {
            logger.warning("[[peer]] host does not resolve: its calls will be rejected",
                           metadata: ["ae_title": "\(caller.aeTitle)", "host": "\(caller.host)"])
        }
        let serving = Task { try await acceptor.run() }
        let retrier = CommitmentReportRetrier(
            index: pipeline.index, delivery: CommitmentReportDelivery(aeTitle: policy.aeTitle), peers: peers,
            schedule: CommitmentRetrySchedule(retry: retry, maxAgeSeconds: commitment.reportMaxAgeSeconds), logger: logger)
        let retrying = Task {
            do {
                try await retrier.run()
            } catch let fenced as FencedError {
                stopper.yield(.fenced(fenced.description))
            }
        }
        defer { retrying.cancel() }
        // Sequence keys of instances archived before the index kept them (docs/design.md, "Query").
        let fillingSequenceKeys = Task {
            do {
                try await pipeline.index.fillSequenceKeys(logger: logger)
            } catch let fenced as FencedError {
                stopper.yield(.fenced(fenced.description))
            } catch {
                logger.error("indexing sequence keys stopped", metadata: ["reason": "\(error)"])
            }
        }
        defer { fillingSequenceKeys.cancel() }
        var reasons = stops.makeAsyncIterator()
        let stop = await reasons.next() ?? .signal(SIGTERM)
        logger.notice("stopping: no new associations", metadata: ["reason": "\(stop)"])
        await acceptor.close()
        if case .fenced = stop {
            serving.cancel()  // a fenced process must not finish anything
        }
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try? await serving.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: listener.gracePeriod)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            logger.warning("grace period over: aborting the associations still running")
            serving.cancel()
        }
        return stop
    }
}
