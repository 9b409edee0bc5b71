import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive

/// The archive's SCP: decides on associations, and routes Verification (C-ECHO, PS3.4 Annex A)
/// to `VerificationProvider`, the Storage service class (C-STORE, PS3.4 Annex B) of every
/// storage SOP class to itself, Query/Retrieve FIND (C-FIND, PS3.4 C.4.1) to
/// `QueryServiceProvider`, C-MOVE and C-GET to `RetrieveServiceProvider` and Storage Commitment
/// to `StorageCommitmentProvider`. Each data set streams into the store
/// pipeline fragment by fragment; the response is sent only after the pipeline's verdict.
public struct StorageServiceHandler: AssociationServiceHandler, DIMSEServiceProvider {
    public let pipeline: StorePipeline
    public let policy: AssociationPolicy
    /// `[query]`: how C-FIND matches.
    public let query: QuerySettings
    /// `[[peer]]`: C-MOVE destinations, and where storage commitment reports go on a new association.
    public let peers: [PeerSettings]
    /// `[commitment]` and `[retry]`: when storage commitment reports go out and how they are retried.
    public let commitment: CommitmentSettings
    public let retry: RetrySettings
    let logger: Logger
    /// Called once the archive refused a write because this process was fenced.
    let onFenced: @Sendable (FencedError) -> Void

    public init(pipeline: StorePipeline, policy: AssociationPolicy, query: QuerySettings = QuerySettings(),
                peers: [PeerSettings] = [], commitment: CommitmentSettings = CommitmentSettings(),
                retry: RetrySettings = RetrySettings(), logger: Logger,
                onFenced: @escaping @Sendable (FencedError) -> Void) {
        self.pipeline = pipeline
        self.policy = policy
        self.query = query
        self.peers = peers
        self.commitment = commitment
        self.retry = retry
        self.logger = logger
        self.onFenced = onFenced
    }

    /// The acceptor logs a rejection with AE titles and peer; contexts refused because the caller
    /// lacks their service are logged here, one line naming the services and the first SOP classes.
    public func decide(on request: AAssociateRQ, from peer: PeerAddress?) async -> AssociationDecision {
        let decision = policy.decision(on: request, from: peer)
        let refused = policy.rejection(of: request, from: peer) == nil ? policy.refusedForService(in: request) : []
        if !refused.isEmpty {
            let services = Set(refused.map(\.service.rawValue)).sorted()
            var sopClasses: [String] = []
            for (abstractSyntax, _) in refused {
                let name = UIDDictionary.entry(for: abstractSyntax)?.keyword ?? abstractSyntax
                if !sopClasses.contains(name) { sopClasses.append(name) }
            }
            logger.notice("presentation contexts refused: service not granted", metadata: [
                "calling": "\(request.callingAETitle.value)", "services": "\(services.joined(separator: ","))",
                "contexts": "\(refused.count)",
                "sop_classes": "\(sopClasses.prefix(3).joined(separator: ","))\(sopClasses.count > 3 ? ",…" : "")"])
        }
        return decision
    }

    /// One line per association: who, how much was stored, how many queries were answered with
    /// how many matches, how long it took, the asynchronous operations window, how it ended.
    public func associationEnded(_ summary: AssociationSummary) async {
        let counts = summary.counts
        logger.info("association ended", metadata: [
            "calling": "\(summary.callingAETitle)", "called": "\(summary.calledAETitle)",
            "peer": "\(summary.peer.map { "\($0)" } ?? "unknown")", "stored": "\(counts.completed)",
            "failed": "\(counts.failed)", "bytes": "\(counts.bytes)",
            "queries": "\(counts.queries)", "matches": "\(counts.matches)",
            "seconds": "\(Self.seconds(summary.duration))", "window": "\(summary.operationsWindow)",
            "end": "\(summary.end)"])
    }

    /// Verification on its SOP class; storage on every storage SOP class the policy accepts;
    /// C-FIND on the Patient Root and Study Root FIND SOP classes; C-MOVE and C-GET on their
    /// SOP classes; storage commitment on the push model.
    public var router: DIMSEServiceRouter {
        let retrieve = RetrieveServiceProvider(index: pipeline.index, aeTitle: policy.aeTitle, peers: peers, logger: logger)
        let commitment = StorageCommitmentProvider(index: pipeline.index, aeTitle: policy.aeTitle, peers: peers,
                                                   settings: commitment, retry: retry, logger: logger)
        return DIMSEServiceRouter([
            .init([CEchoRequest.verificationSOPClassUID], to: VerificationProvider()),
            .init(where: UIDDictionary.isStorageSOPClass, to: self),
            .init(Set(ServedSOPClasses.findModels.keys),
                  to: QueryServiceProvider(index: pipeline.index, settings: query, aeTitle: policy.aeTitle, logger: logger)),
            .init(Set(ServedSOPClasses.moveModels.keys).union(ServedSOPClasses.getModels.keys), to: retrieve),
            .init([StorageCommitmentProvider.sopClassUID], to: commitment),
        ])
    }

    public func store(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws -> DIMSEResult {
        try await receiveStore(request, dataSet: dataSet, context: context)()
    }

    /// Reads the data set into a reception; the completion makes the instance safe and counts it.
    public func receiveStore(_ request: CStoreRequest, dataSet: DataSetFragments, context: DIMSERequestContext) async throws
        -> StoreCompletion
    {
        let association = context.association
        // A refused request still has its data set drained, so the response follows the whole
        // message (PS3.7 §9.3.1).
        guard request.affectedSOPClassUID == context.presentationContext.abstractSyntax else {
            for try await _ in dataSet {}
            association.updateServiceCounts { $0.failed += 1 }
            return { DIMSEResult(.sopClassNotSupported,
                                 errorComment: "SOP Class UID is not the presentation context's abstract syntax") }
        }
        // A caller that may only retrieve has storage contexts for its C-GETs, not to store.
        guard policy.grantedServices(to: association.request).contains(.store) else {
            for try await _ in dataSet {}
            association.updateServiceCounts { $0.failed += 1 }
            return { DIMSEResult(.notAuthorized, errorComment: "this peer may not store (its [[peer]] services)") }
        }
        let ingest = try await receive(request, fragments: dataSet, context: context.presentationContext,
                                       association: association)
        return {
            let result = try await ingest()
            association.updateServiceCounts { counts in
                if result.isStored {
                    counts.completed += 1
                    counts.bytes += result.bytes
                } else {
                    counts.failed += 1
                }
            }
            return DIMSEResult(result)
        }
    }

    public func storeResponseSent(after elapsed: Duration) {
        pipeline.phaseStatistics.record(.response, elapsed)
    }

    /// Streams one C-STORE data set into the archive's ingest; the returned step finishes the
    /// reception and gives its result.
    private func receive(_ store: CStoreRequest, fragments: DataSetFragments, context: AcceptedPresentationContext,
                         association: Association) async throws -> @Sendable () async throws -> StoreResult {
        let request = StoreRequest(
            sopClassUID: store.affectedSOPClassUID, sopInstanceUID: store.affectedSOPInstanceUID,
            transferSyntax: TransferSyntax(uid: context.transferSyntax),
            callingAE: association.request.callingAETitle.value, calledAE: association.request.calledAETitle.value)
        let started = ContinuousClock.now
        let reception = pipeline.begin(request)
        do {
            for try await fragment in fragments { reception.append(fragment) }
        } catch {
            reception.abandon()
            throw error
        }
        let received = ContinuousClock.now
        return { [logger, onFenced] in
            let result: StoreResult
            do throws(FencedError) {
                result = try await reception.finish()
            } catch {
                logger.critical("fenced: refusing to store", metadata: ["reason": "\(error)"])
                onFenced(error)
                await association.abort()
                throw error
            }
            logger.log(level: result.isStored ? .debug : .warning, "C-STORE", metadata: [
                "calling": "\(request.callingAE)", "sop_instance": "\(request.sopInstanceUID)",
                "status": "\(DIMSEStatus(result.outcome))H", "bytes": "\(result.bytes)",
                "receive_seconds": "\(Self.seconds(received - started))",
                "store_seconds": "\(Self.seconds(.now - received))",
                "comment": "\(result.reason ?? "")"])
            return result
        }
    }

    static func seconds(_ elapsed: Duration) -> String {
        String(format: "%.3f", elapsed.seconds)
    }
}
