import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive
import TandemSend

/// The Query/Retrieve SCP's retrieve half (PS3.4 C.4.2, C.4.3): C-MOVE sends the instances an
/// identifier names to a `[[peer]]` over a new association, C-GET sends them back on the
/// requestor's association. Files stream from disk as they go out; nothing is written or deleted.
public struct RetrieveServiceProvider: DIMSEServiceProvider {
    let index: ArchiveIndex
    /// This archive's AE title: the calling AE title of C-MOVE sub-operations.
    let aeTitle: String
    /// The Move Destinations there are.
    let peers: [PeerSettings]
    let logger: Logger

    public init(index: ArchiveIndex, aeTitle: String, peers: [PeerSettings], logger: Logger) {
        self.index = index
        self.aeTitle = aeTitle
        self.peers = peers
        self.logger = logger
    }

    public func move(_ request: CMoveRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        let started = ContinuousClock.now
        let caller = responder.context.association.request.callingAETitle.value
        let destinationTitle = request.moveDestination.trimmingCharacters(in: .whitespaces)
        let destination = peers.first { $0.aeTitle == destinationTitle }
        guard destinationTitle == aeTitle || destination != nil else {
            logger.warning("C-MOVE refused: unknown move destination",
                           metadata: ["calling": "\(caller)", "destination": "\(destinationTitle)"])
            return RetrieveResult(DIMSEResult(.moveDestinationUnknown,
                                              errorComment: DIMSEResult.errorComment("\(destinationTitle) is not a known peer")))
        }
        let instances: [RetrievableInstance]
        do {
            instances = try await resolve(identifier, model: ServedSOPClasses.moveModels[request.affectedSOPClassUID] ?? .studyRoot)
        } catch let refusal as RetrieveRefusal {
            return refusal.result
        }
        let progress = RetrieveProgress(total: instances.count)
        let files = sendList(instances, progress: progress)
        if let destination {
            try await send(files, to: destination, request: request, caller: caller, responder: responder, progress: progress)
        } else {
            // A move to this archive itself: every instance with its file is there already.
            for file in files { progress.record(.completed, sopInstanceUID: file.sopInstanceUID) }
        }
        let result = progress.tally.finalResult(cancelled: responder.isCancelled, failureComment: progress.failureReason)
        log("C-MOVE", result, caller: caller, destination: destinationTitle, since: started)
        return result
    }

    public func get(_ request: CGetRequest, identifier: DataSet, responder: RetrieveResponder) async throws -> RetrieveResult {
        let started = ContinuousClock.now
        let association = responder.context.association
        let caller = association.request.callingAETitle.value
        let instances: [RetrievableInstance]
        do {
            instances = try await resolve(identifier, model: ServedSOPClasses.getModels[request.affectedSOPClassUID] ?? .studyRoot)
        } catch let refusal as RetrieveRefusal {
            return refusal.result
        }
        let progress = RetrieveProgress(total: instances.count)
        let files = sendList(instances, progress: progress)
        // PS3.4 C.4.3.3: sub-operations only on storage contexts where the requestor took the SCP role.
        let scpRoles = Set(association.answer.userInformation.roleSelections.filter(\.scpRole).map(\.sopClassUID))
        let contexts = association.acceptedContexts.values.filter { scpRoles.contains($0.abstractSyntax) }
        let stop = SendStop()
        try await progress.run(reportingTo: responder, stop: stop.request) {
            for file in files where !stop.isRequested {
                let (outcome, reason) = try await store(file, on: contexts, responder: responder)
                progress.record(outcome, sopInstanceUID: file.sopInstanceUID, reason: reason)
            }
        }
        let result = progress.tally.finalResult(cancelled: responder.isCancelled, failureComment: progress.failureReason)
        log("C-GET", result, caller: caller, destination: caller, since: started)
        return result
    }

    /// One C-GET sub-operation (PS3.4 C.4.3.3.1): its outcome, and the reason for a failure.
    private func store(_ file: InstanceSummary, on contexts: [AcceptedPresentationContext],
                       responder: RetrieveResponder) async throws -> (SubOperationTally.Outcome, String?) {
        let syntax: String, dataSet: DataSetSource
        var transcoded: TranscodedDataSet?
        defer { transcoded?.remove() }
        do {
            switch TransferChoice.choose(for: file, accepted: contexts) {
            case .refused(let reason):
                return (.failed, "requestor (as Storage SCP by role selection): " + reason)
            case .asStored:
                (syntax, dataSet) = (file.transferSyntaxUID, try OutgoingDataSet.asStored(file))
            case .converted(_, let target):
                (syntax, dataSet) = (target.uid, try OutgoingDataSet.converted(file, to: target))
            case .transcoded(_, let target):
                logger.info("C-GET transcoding: the requestor accepts none of the stored syntaxes", metadata: [
                    "sop_instance_uid": "\(file.sopInstanceUID)", "from": "\(file.transferSyntax)", "to": "\(target)"])
                let written = try await OutgoingDataSet.transcoded(file, to: target)
                transcoded = written
                (syntax, dataSet) = (target.uid, written.source)
            }
        } catch {
            return (.failed, "\(error)")
        }
        let response = try await responder.store(sopClassUID: file.sopClassUID, sopInstanceUID: file.sopInstanceUID,
                                                 transferSyntax: syntax, dataSet: dataSet)
        switch response.status.category {
        case .success: return (.completed, nil)
        case .warning: return (.warning, nil)
        case .failure, .cancel, .pending: return (.failed, "C-STORE status \(response.status)H")
        }
    }

    /// The C-MOVE sub-operations: one association to the destination, the files streamed in
    /// order, each written in large batches (TandemSend).
    private func send(_ files: [InstanceSummary], to destination: PeerSettings, request: CMoveRequest, caller: String,
                      responder: RetrieveResponder, progress: RetrieveProgress) async throws {
        guard !files.isEmpty else { return }
        var settings = SendSettings(host: destination.host, port: destination.port,
                                    callingAETitle: try AETitle(aeTitle), calledAETitle: try AETitle(destination.aeTitle))
        settings.moveOriginatorAETitle = caller
        settings.moveOriginatorMessageID = request.messageID
        let sender = StoreSender(settings: settings, logger: logger)
        let stop = SendStop()
        let sink = SubOperationSink(progress: progress, stop: stop)
        try await progress.run(reportingTo: responder, stop: stop.request) {
            let plan = SendPlan(files: files, parallelAssociations: 1, forcedTransferSyntaxes: destination.transferSyntaxes)
            _ = await sender.send(plan, reporter: sink, stop: stop)
        }
    }

    /// The instances the identifier names; a refusal when it cannot be read: A900H for an
    /// identifier that is not the model's, A701H for a UID list longer than the archive matches
    /// at once (the request is valid, the resources to resolve it are what is lacking: the same
    /// meaning as C-FIND's A700H, which Tables C.4-2 and C.4-3 spell "Out of Resources – Unable
    /// to calculate number of matches"), C000H for a value that cannot be matched.
    private func resolve(_ identifier: DataSet, model: QueryInformationModel) async throws -> [RetrievableInstance] {
        let selection: RetrieveSelection
        do {
            selection = try RetrieveSelection(identifier: identifier, model: model)
        } catch {
            let status: DIMSEStatus = switch error {
            case .missingLevel, .unknownLevel, .levelNotInModel: .dataSetDoesNotMatchSOPClass
            case .tooManyValues: .unableToCalculateNumberOfMatches
            default: .cannotUnderstand
            }
            throw RetrieveRefusal(result: RetrieveResult(DIMSEResult(
                status, errorComment: DIMSEResult.errorComment(error.description),
                offendingElements: error.offendingElement.map { [$0] } ?? [])))
        }
        return try await index.instances(selection)
    }

    /// The files to send, from their index rows; an instance whose file is missing, or cannot
    /// be read, fails at once. A row without a data set offset (indexed before the index kept
    /// it), or whose file is not the size indexed, is read from its file.
    private func sendList(_ instances: [RetrievableInstance], progress: RetrieveProgress) -> [InstanceSummary] {
        var files: [InstanceSummary] = []
        for instance in instances {
            guard let archived = instance.file else {
                progress.record(.failed, sopInstanceUID: instance.sopInstanceUID, reason: "file missing from the archive")
                continue
            }
            let path = index.root.url(relativePath: archived.filePath).path
            if let offset = archived.dataSetOffset, FileByteSource.size(ofFileAt: path) == archived.fileSize {
                files.append(InstanceSummary(path: path, sopClassUID: archived.sopClassUID, sopInstanceUID: instance.sopInstanceUID,
                                             transferSyntaxUID: archived.transferSyntaxUID, size: Int(archived.fileSize),
                                             dataSetOffset: Int(offset)))
                continue
            }
            switch FileInventory.inspect(path: path) {
            case .sendable(let file): files.append(file)
            case .skipped(_, let reason):
                logger.error("archived file cannot be sent", metadata: ["sop_instance": "\(instance.sopInstanceUID)", "reason": "\(reason)"])
                progress.record(.failed, sopInstanceUID: instance.sopInstanceUID, reason: reason)
            }
        }
        return files
    }

    private func log(_ operation: String, _ result: RetrieveResult, caller: String, destination: String,
                     since started: ContinuousClock.Instant) {
        let counts = result.subOperations
        logger.log(level: result.result.status.category == .success ? .info : .warning, "\(operation)", metadata: [
            "calling": "\(caller)", "destination": "\(destination)", "status": "\(result.result.status)H",
            "completed": "\(counts.completed ?? 0)", "failed": "\(counts.failed ?? 0)", "warning": "\(counts.warning ?? 0)",
            "remaining": "\(counts.remaining ?? 0)", "seconds": "\(StorageServiceHandler.seconds(.now - started))",
            "comment": "\(result.result.errorComment ?? "")"])
    }
}

/// A retrieve answered without sub-operations (the identifier cannot be read).
private struct RetrieveRefusal: Error {
    let result: RetrieveResult
}

/// Counts each C-MOVE sub-operation as TandemSend reports it. Files not sent because the
/// retrieve was cancelled stay remaining; files not sent because the destination failed are failed.
private struct SubOperationSink: FileResultSink {
    let progress: RetrieveProgress
    let stop: SendStop

    func report(_ result: FileResult) {
        let uid = result.sopInstanceUID ?? ""
        switch result.outcome {
        case .sent: progress.record(.completed, sopInstanceUID: uid)
        case .sentWithWarning: progress.record(.warning, sopInstanceUID: uid)
        case .failed(let reason), .skipped(let reason):
            if stop.isRequested && result.failureCause == .association { return }
            progress.record(.failed, sopInstanceUID: uid, reason: reason)
        }
    }
}
