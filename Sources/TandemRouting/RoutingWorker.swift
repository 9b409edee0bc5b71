import Foundation
import Logging
import TandemArchive
import TandemSend

/// The routing worker behind `dcmroute run` and `dcmroute once`: meets new instances with the
/// rules, claims due jobs under this process's cluster epoch, and delivers them.
///
/// A `FencedError` from any write ends the worker at once: deliveries under way are stopped and
/// the error is rethrown, so the process exits without touching the queue again.
public final class RoutingWorker: Sendable {
    public let queue: JobQueue
    public let settings: RoutingSettings
    private let rules: [RouteRule]
    private let sends = SendRegistry()
    private let logger: Logger

    public init(index: ArchiveIndex, settings: RoutingSettings, logger: Logger = Logger(label: "dcmroute")) {
        queue = JobQueue(index: index)
        self.settings = settings
        rules = settings.configuration.routes.map(RouteRule.init)
        self.logger = logger
    }

    /// Claims nothing more; deliveries under way finish the instance in flight, release their
    /// association and put their job back to pending.
    public func stop() {
        sends.stopAll()
    }

    /// The daemon: until `stop()`, routes new instances and keeps up to `concurrency` deliveries running.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Event.self) { group in
            var inFlight = 0
            group.addTask { .tick }
            while let event = try await group.next() {
                if case .delivered = event { inFlight -= 1 }
                guard !sends.isStopping else { continue }
                for job in try await routeAndClaim(limit: settings.concurrency - inFlight) {
                    inFlight += 1
                    group.addTask { try await self.deliver(job) }
                }
                if case .tick = event {
                    group.addTask { [poll = settings.pollInterval] in
                        try? await Task.sleep(for: poll)
                        return .tick
                    }
                }
            }
        }
    }

    /// One pass for cron or a timer: routes what arrived, delivers every job that is due, and
    /// returns once none is (jobs waiting for stability or a retry time stay queued).
    public func runOnce() async throws -> PassSummary {
        var summary = PassSummary()
        while !sends.isStopping {
            let jobs = try await routeAndClaim(limit: settings.concurrency)
            if jobs.isEmpty { break }
            try await withThrowingTaskGroup(of: Event.self) { group in
                for job in jobs { group.addTask { try await self.deliver(job) } }
                for try await case .delivered(let state) in group { summary.add(state) }
            }
        }
        return summary
    }

    enum Event: Sendable {
        case tick
        case delivered(JobState?)
    }

    private func routeAndClaim(limit: Int) async throws -> [RouteJob] {
        do {
            try queue.index.checkEpoch()
            try settleNotesOfDeadWriters()
            while try await queue.routeNewInstances(targets: { [rules] in RouteRule.targets(of: rules, for: $0) }) > 0 {}
            guard limit > 0 else { return [] }
            let jobs = try await queue.claim(limit: limit, owner: settings.owner, lease: settings.lease)
            for job in jobs {
                logger.debug("job \(job.id): attempt \(job.attempts + 1) for \(job.studyInstanceUID) → \(job.destination)")
            }
            return jobs
        } catch let fenced as FencedError {
            logger.critical("\(fenced); stopping without touching the queue")
            sends.stopAll()
            throw fenced
        } catch {
            // A busy or failing database must not end the daemon: the next tick tries again.
            logger.error("routing pass failed: \(error)")
            return []
        }
    }

    /// A writer that died mid-flush (a killed dcmweb) would hold the cursor until dcmrecv's next
    /// start. A failure here (an fsync refused) must not stop routing: the next pass tries again.
    private func settleNotesOfDeadWriters() throws {
        do {
            let settled = try queue.index.settleNotesOfDeadWriters()
            if settled.confirmedUnflushed + settled.rolledBackUnflushed > 0 {
                logger.info("settled the notes of dead writers", metadata: [
                    "confirmed_unflushed": "\(settled.confirmedUnflushed)",
                    "rolled_back_unflushed": "\(settled.rolledBackUnflushed)"])
            }
        } catch let fenced as FencedError {
            throw fenced
        } catch {
            logger.error("settling the notes of dead writers failed: \(error)")
        }
    }

    private func deliver(_ job: RouteJob) async throws -> Event {
        let delivery = JobDelivery(queue: queue, settings: settings, sends: sends, logger: logger)
        do {
            return .delivered(try await delivery.deliver(job)?.state)
        } catch let fenced as FencedError {
            logger.critical("\(fenced); stopping without touching the queue")
            sends.stopAll()
            throw fenced
        } catch let lost as LeaseLostError {
            logger.warning("\(lost); leaving it")
            return .delivered(nil)
        } catch {
            // The claim runs out and another pass (or worker) takes the job again.
            logger.error("job \(job.id): \(error)")
            return .delivered(nil)
        }
    }
}

/// What `dcmroute once` did.
public struct PassSummary: Sendable, Equatable {
    public var done = 0
    public var waiting = 0
    public var dead = 0

    public mutating func add(_ state: JobState?) {
        switch state {
        case .done: done += 1
        case .dead: dead += 1
        case .pending, .failedWillRetry, .running, .cancelled, nil: waiting += 1
        }
    }

    public var text: String { "\(done) job(s) done, \(waiting) waiting, \(dead) dead" }
}
