import DICOMCore
import DICOMNetwork
import Foundation
import Logging
import TandemArchive
import TandemSend

/// Delivers one claimed job: its queued instances over one association to the destination
/// (more only past 128 presentation contexts), recording each instance's result as responses
/// arrive and renewing the claim as it goes, then concluding the job.
///
/// The sender's results arrive on an `AsyncStream` of `DeliveryEvent`s, beside the wake-ups of
/// one timer: results are recorded at most `flushInterval` after they arrive, and with nothing
/// to record the claim is still renewed every third of the lease.
struct JobDelivery: Sendable {
    let queue: JobQueue
    let settings: RoutingSettings
    let sends: SendRegistry
    let logger: Logger

    /// Throws `FencedError` (this process must stop) and `LeaseLostError` (the job was taken away).
    func deliver(_ job: RouteJob) async throws -> RouteJob? {
        let started = ContinuousClock.now
        guard let peer = settings.configuration.peer(aeTitle: job.destination) else {
            return try await conclude(job, .dead(reason: "no [[peer]] named \(job.destination) in tandem.toml"))
        }
        let (files, unavailable) = try sendList(of: job)
        var tally = Tally()
        if !unavailable.isEmpty {
            try await record(unavailable, of: job)
            tally.refused += unavailable.count
        }
        guard !files.isEmpty else { return try await conclude(job, .delivered) }

        let sender = StoreSender(settings: try sendSettings(for: peer), logger: logger)
        let plan = SendPlan(files: files, parallelAssociations: 1, forcedTransferSyntaxes: peer.transferSyntaxes)
        let stop = sends.register(job.id)
        defer { sends.remove(job.id) }
        let (events, continuation) = AsyncStream.makeStream(of: DeliveryEvent.self)
        let sendTask = Task {
            let failures = await sender.send(plan, reporter: DeliveryEvent.Sink(continuation: continuation), stop: stop)
            continuation.yield(.finished(failures))
            continuation.finish()
        }
        var wakeUp = DeliveryWakeUp(continuation: continuation)
        defer { wakeUp.cancel() }
        var schedule = RecordSchedule(flushInterval: settings.flushInterval, renewalInterval: settings.lease / 3,
                                      lastRecord: .now)
        var pending: [FileResult] = [], failures: [SendFailure] = []
        wakeUp.arm(at: schedule.nextRecord(hasPending: false))
        do {
            for await event in events {
                switch event {
                case .result(let result): pending.append(result)
                case .finished(let reported): failures = reported
                case .wakeUp: break
                }
                let now = ContinuousClock.now
                if now >= schedule.nextRecord(hasPending: !pending.isEmpty) {
                    // With nothing pending this only renews the claim.
                    tally.add(try await record(pending, of: job))
                    pending.removeAll()
                    schedule.lastRecord = now
                }
                wakeUp.arm(at: schedule.nextRecord(hasPending: !pending.isEmpty))
            }
            tally.add(try await record(pending, of: job))
        } catch {
            stop.request()
            await sendTask.value
            throw error
        }
        let seconds = (ContinuousClock.now - started).seconds
        let line = "job \(job.id) study \(job.studyInstanceUID) → \(job.destination): \(tally.delivered) delivered, "
            + "\(tally.refused) refused, \(tally.retryLater) to retry, \(String(format: "%.1f", seconds)) s"
        logger.info("\(line)")
        // Stopped part-way: back to pending without counting an attempt.
        if sends.isStopping && tally.retryLater > 0 { return try await conclude(job, .released) }
        if let failure = failures.first { return try await conclude(job, retrying(job, failure.description)) }
        if let reason = tally.firstRetryReason { return try await conclude(job, retrying(job, reason)) }
        return try await conclude(job, .delivered)
    }

    /// The files of the queued instances, from their index rows, and results for those that
    /// cannot be sent: no longer in the archive (a study deleted while queued), or a file that
    /// cannot be read. A row without a data set offset (indexed before the index kept it), or
    /// whose file is not the size indexed, is read from its file instead.
    private func sendList(of job: RouteJob) throws -> ([InstanceSummary], [ItemResult]) {
        var files: [InstanceSummary] = [], unavailable: [ItemResult] = []
        for item in try queue.queuedInstances(of: job.id) {
            guard let archived = item.file else {
                unavailable.append(ItemResult(sopInstanceUID: item.sopInstanceUID, state: .failed,
                                              detail: "no longer in the archive"))
                continue
            }
            let path = queue.index.root.url(relativePath: archived.filePath).path
            if let offset = archived.dataSetOffset, FileByteSource.size(ofFileAt: path) == archived.fileSize {
                files.append(InstanceSummary(
                    path: path, sopClassUID: archived.sopClassUID, sopInstanceUID: item.sopInstanceUID,
                    studyInstanceUID: job.studyInstanceUID, transferSyntaxUID: archived.transferSyntaxUID,
                    size: Int(archived.fileSize), dataSetOffset: Int(offset)))
                continue
            }
            switch FileInventory.inspect(path: path) {
            case .sendable(let file): files.append(file)
            case .skipped(_, let reason):
                logger.error("job \(job.id): archived file of \(item.sopInstanceUID) cannot be sent: \(reason)")
                unavailable.append(ItemResult(sopInstanceUID: item.sopInstanceUID, state: .failed, detail: reason))
            }
        }
        return (files, unavailable)
    }

    /// Records the results (or, with none, only renews the claim) and counts them.
    private func record(_ results: [FileResult], of job: RouteJob) async throws -> Tally {
        var tally = Tally()
        // Every file the sender reports came from an InstanceSummary, which has its UID.
        let items = results.map { result -> ItemResult in
            let uid = result.sopInstanceUID ?? ""
            let verdict = DeliveryVerdict(result)
            tally.add(verdict)
            if case .sentWithWarning(let status, let comment) = result.outcome {
                let note = comment.map { " (\($0))" } ?? ""
                logger.warning("job \(job.id): \(job.destination) stored \(uid) with warning \(String(status, radix: 16, uppercase: true))H\(note)")
            }
            return verdict.itemResult(for: uid, status: result.peerStatus)
        }
        try await record(items, of: job)
        return tally
    }

    private func record(_ items: [ItemResult], of job: RouteJob) async throws {
        try await queue.record(items, of: job.id, claim: job.claimID ?? "", lease: settings.lease)
    }

    private func conclude(_ job: RouteJob, _ conclusion: JobConclusion) async throws -> RouteJob? {
        try await queue.finish(job.id, claim: job.claimID ?? "", conclusion)
    }

    /// Another attempt after the back-off delay, or dead when attempts run out.
    private func retrying(_ job: RouteJob, _ reason: String) -> JobConclusion {
        let attempt = job.attempts + 1
        guard attempt < settings.configuration.retry.maxAttempts else {
            return .dead(reason: "gave up after \(attempt) attempts: \(reason)")
        }
        let delay = settings.configuration.retry.jitteredDelay(beforeRetry: attempt)
        logger.notice("job \(job.id) → \(job.destination): attempt \(attempt) failed (\(reason)); next in \(Int(delay)) s")
        return .retry(at: Date().addingTimeInterval(delay), reason: reason)
    }

    private func sendSettings(for peer: PeerSettings) throws -> SendSettings {
        var send = SendSettings(host: peer.host, port: peer.port,
                                callingAETitle: try AETitle(settings.configuration.node.aeTitle),
                                calledAETitle: try AETitle(peer.aeTitle))
        send.connectTimeout = settings.connectTimeout
        send.dimseTimeout = settings.dimseTimeout
        send.operationsWindow = UInt16(settings.configuration.limits.asyncOperationsWindow)
        return send
    }
}

/// Counts of one delivery, for the log line and the conclusion.
struct Tally {
    var delivered = 0, refused = 0, retryLater = 0
    var firstRetryReason: String?

    mutating func add(_ verdict: DeliveryVerdict) {
        switch verdict {
        case .delivered: delivered += 1
        case .refused: refused += 1
        case .retryLater(let reason):
            retryLater += 1
            if firstRetryReason == nil { firstRetryReason = reason }
        }
    }

    mutating func add(_ other: Tally) {
        delivered += other.delivered
        refused += other.refused
        retryLater += other.retryLater
        firstRetryReason = firstRetryReason ?? other.firstRetryReason
    }
}

extension FileResult {
    /// The status the peer answered, when it answered one.
    var peerStatus: UInt16? {
        switch outcome {
        case .sent: return 0
        case .sentWithWarning(let status, _): return status
        case .failed, .skipped:
            if case .status(let status) = failureCause { return status }
            return nil
        }
    }
}

extension RetrySettings {
    /// The back-off delay with ±20 % jitter, so that jobs failed together do not retry together.
    func jitteredDelay(beforeRetry attempt: Int) -> Double {
        min(delay(beforeRetry: attempt) * Double.random(in: 0.8...1.2), maxDelaySeconds)
    }
}
