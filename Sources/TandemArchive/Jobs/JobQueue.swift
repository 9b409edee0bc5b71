import DICOMCore
import Foundation
import GRDB

/// The durable routing queue in `index.sqlite`. Every change is a fenced write of the index
/// (`ArchiveIndex.write`): a process whose cluster epoch is no longer current gets `FencedError`
/// and changes nothing. A worker's changes to a job it claimed also check the claim is still its own.
public struct JobQueue: Sendable {
    public let index: ArchiveIndex

    public init(index: ArchiveIndex) {
        self.index = index
    }

    // MARK: - Rules

    /// Shows each instance received since the last call to `targets` (at most `limit`, oldest
    /// first) and queues it for the destinations returned, moving the cursor past them, all in
    /// one transaction: an instance meets the rules exactly once. Returns how many were seen.
    /// The cursor stops below the first row whose file is still being flushed
    /// (`UnflushedObjectSchema`): that row and the ones after it wait until it is settled.
    public func routeNewInstances(limit: Int = 500, now: Date = Date(),
                                  targets: @escaping @Sendable (IndexedInstance) -> [RouteTarget]) async throws -> Int {
        // A read first: an idle worker polling does not take the write lock each time.
        let arrived = try index.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM instance WHERE id > (SELECT last_instance_id FROM routing_cursor))")
        }
        guard arrived == true else { return 0 }
        return try await index.write { db in
            let cursor = try Int64.fetchOne(db, sql: "SELECT last_instance_id FROM routing_cursor WHERE id = 1") ?? 0
            let rows = try Row.fetchAll(db, sql: IndexedInstance.selectSQL + """
                 WHERE instance.id > ? AND instance.id < coalesce(\(UnflushedObjectSchema.lowestNotedInstanceID), 9223372036854775807)
                 ORDER BY instance.id LIMIT ?
                """, arguments: [cursor, limit])
            guard let last = rows.last else { return 0 }
            for row in rows {
                let instance = IndexedInstance(row: row)
                for target in targets(instance) {
                    try Self.enqueue(study: instance.record.study.studyInstanceUID, instances: [instance.record.sopInstanceUID],
                                     target: target, arrival: .received, now: now, db)
                }
            }
            try db.execute(sql: "UPDATE routing_cursor SET last_instance_id = ? WHERE id = 1", arguments: [last["id"] as Int64])
            return rows.count
        }
    }

    /// Why instances are being added to a job.
    enum Arrival {
        /// The rules met instances as they were received. A row the routing cursor passes is a new
        /// arrival: when the job already holds its SOP instance, that instance was replaced
        /// (`duplicate_policy = "overwrite"`, or a lost file received again) and is queued again.
        case received
        /// An admin's manual route: revives a dead or cancelled job too, and never queues again
        /// what was already delivered.
        case manual
    }

    /// Adds `instances` to the study's job for the target's destination, creating the job if
    /// needed. Instances added to a done or dead job reopen it with fresh attempts (later series
    /// must still be sent); a cancelled job stays cancelled unless an admin routes it by hand.
    static func enqueue(study: String, instances: [String], target: RouteTarget, arrival: Arrival, now: Date,
                        _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO route_job (study_uid, destination, route_name, state, stable_after, next_attempt_at, created_at, updated_at)
            VALUES (?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT (study_uid, destination) DO NOTHING
            """, arguments: [study, target.destination, target.routeName, target.stableAfterSeconds, now, now, now])
        guard let job = try Row.fetchOne(db, sql: "SELECT id, state, stable_after FROM route_job WHERE study_uid = ? AND destination = ?",
                                         arguments: [study, target.destination]) else { return }
        let jobID: Int64 = job["id"]
        let itemSQL = switch arrival {
        case .received: """
            INSERT INTO route_item (job_id, sop_instance_uid, state, updated_at) VALUES (?, ?, 'queued', ?)
            ON CONFLICT (job_id, sop_instance_uid) DO UPDATE
            SET state = 'queued', status = NULL, detail = NULL, updated_at = excluded.updated_at WHERE state <> 'queued'
            """
        case .manual: "INSERT OR IGNORE INTO route_item (job_id, sop_instance_uid, state, updated_at) VALUES (?, ?, 'queued', ?)"
        }
        var added = 0
        for uid in instances {
            try db.execute(sql: itemSQL, arguments: [jobID, uid, now])
            added += db.changesCount
        }
        let state = JobState(rawValue: job["state"]) ?? .dead
        let revive = added > 0 && [.done, .dead].contains(state)
            || arrival == .manual && [.dead, .cancelled, .done, .failedWillRetry].contains(state)
        let stableAfter = min(job["stable_after"] as Int, target.stableAfterSeconds)
        try db.execute(sql: """
            UPDATE route_job SET stable_after = ?, updated_at = ?,
                   state = CASE WHEN ? THEN 'pending' ELSE state END,
                   attempts = CASE WHEN ? THEN 0 ELSE attempts END,
                   next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
                   last_error = CASE WHEN ? THEN NULL ELSE last_error END
            WHERE id = ?
            """, arguments: [stableAfter, now, revive, revive, revive, now, revive, jobID])
    }

    // MARK: - Worker

    /// Claims up to `limit` jobs that are due — pending or waiting to retry, whose time has come
    /// and whose study has been quiet for the job's `stable_after` — or whose claimer's lease ran
    /// out (a worker that died). Claimed under this process's epoch for `lease`, each job with a
    /// fresh `claimID`: the token its deliverer shows on every record and conclusion, so a claim
    /// that expired or was cancelled cannot act again — not even for the same owner.
    public func claim(limit: Int, owner: String, lease: Duration, now: Date = Date()) async throws -> [RouteJob] {
        let epoch = index.epoch
        let expires = now.addingTimeInterval(lease.seconds)
        let arguments: StatementArguments = ["now": now, "limit": limit]
        // A read first: an idle worker polling does not take the write lock each time.
        guard try !index.read({ db in try Int64.fetchAll(db, sql: Self.dueJobsSQL, arguments: arguments) }).isEmpty else {
            return []
        }
        return try await index.write { db in
            let ids = try Int64.fetchAll(db, sql: Self.dueJobsSQL, arguments: arguments)
            for id in ids {
                try db.execute(sql: """
                    UPDATE route_job SET state = 'running', lease_epoch = ?, lease_owner = ?, claim_id = ?, lease_expires_at = ?,
                           updated_at = ?
                    WHERE id = ?
                    """, arguments: [epoch, owner, UUID().uuidString.lowercased(), expires, now, id])
            }
            return try ids.compactMap { try Self.job($0, db) }
        }
    }

    /// Jobs that are due — pending or waiting to retry, whose time has come and whose study has
    /// been quiet for the job's `stable_after` — or whose claim ran out.
    private static let dueJobsSQL = """
        SELECT route_job.id FROM route_job LEFT JOIN study ON study.study_uid = route_job.study_uid
        WHERE (route_job.state IN ('pending', 'failed-will-retry') AND route_job.next_attempt_at <= :now
               AND (route_job.stable_after = 0 OR study.last_received_at IS NULL
                    OR strftime('%Y-%m-%d %H:%M:%f', study.last_received_at, '+' || route_job.stable_after || ' seconds') <= :now))
           OR (route_job.state = 'running' AND route_job.lease_expires_at < :now)
        ORDER BY route_job.next_attempt_at, route_job.id LIMIT :limit
        """

    /// The instances of `job` still to deliver, in the order they were queued.
    public func queuedInstances(of jobID: Int64) throws -> [QueuedInstance] {
        try index.read { db in
            try Row.fetchAll(db, sql: QueuedInstance.selectSQL
                             + " WHERE route_item.job_id = ? AND route_item.state = 'queued' ORDER BY route_item.rowid",
                             arguments: [jobID]).map(QueuedInstance.init(row:))
        }
    }

    /// Records what happened to some instances and extends the claim to `now + lease`.
    /// Throws `LeaseLostError` unless `claim` (the job's `claimID` when claimed) still holds it.
    public func record(_ results: [ItemResult], of jobID: Int64, claim: String, lease: Duration,
                       now: Date = Date()) async throws {
        let epoch = index.epoch
        try await index.write { db in
            try Self.checkClaim(jobID, claim: claim, epoch: epoch, db)
            for result in results {
                try db.execute(sql: """
                    UPDATE route_item SET state = ?, status = ?, detail = ?, updated_at = ? WHERE job_id = ? AND sop_instance_uid = ?
                    """, arguments: [result.state.rawValue, result.status.map { Int($0) }, result.detail, now, jobID, result.sopInstanceUID])
            }
            try db.execute(sql: "UPDATE route_job SET lease_expires_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [now.addingTimeInterval(lease.seconds), now, jobID])
        }
    }

    /// Ends the claim `claim` on the job as `conclusion` says; returns the job as left.
    @discardableResult
    public func finish(_ jobID: Int64, claim: String, _ conclusion: JobConclusion, now: Date = Date()) async throws -> RouteJob? {
        let epoch = index.epoch
        return try await index.write { db in
            try Self.checkClaim(jobID, claim: claim, epoch: epoch, db)
            let counts = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE state = 'queued') AS queued, count(*) FILTER (WHERE state = 'failed') AS failed
                FROM route_item WHERE job_id = ?
                """, arguments: [jobID])!
            let (queued, failed): (Int, Int) = (counts["queued"], counts["failed"])
            let (state, attempts, nextAttempt, error): (JobState, String, Date, String?)
            switch conclusion {
            case .delivered where queued > 0:
                (state, attempts, nextAttempt, error) = (.pending, "attempts", now, nil)
            case .delivered where failed > 0:
                (state, attempts, nextAttempt, error) = (.dead, "attempts", now, "\(failed) instance(s) refused by the destination")
            case .delivered:
                (state, attempts, nextAttempt, error) = (.done, "attempts", now, nil)
            case .retry(let at, let reason):
                (state, attempts, nextAttempt, error) = (.failedWillRetry, "attempts + 1", at, reason)
            case .dead(let reason):
                (state, attempts, nextAttempt, error) = (.dead, "attempts + 1", now, reason)
            case .released:
                (state, attempts, nextAttempt, error) = (.pending, "attempts", now, nil)
            }
            try db.execute(sql: """
                UPDATE route_job SET state = ?, attempts = \(attempts), next_attempt_at = ?,
                       last_error = CASE WHEN ? THEN last_error ELSE ? END,
                       lease_epoch = NULL, lease_owner = NULL, claim_id = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE id = ?
                """, arguments: [state.rawValue, nextAttempt, conclusion == .released, error, now, jobID])
            return try Self.job(jobID, db)
        }
    }

    /// Puts back to pending every job claimed under an epoch older than `epoch`: the new active
    /// node delivers them (what the old node had delivered stays recorded). Returns how many.
    public func releaseJobs(claimedBefore epoch: Int64, now: Date = Date()) throws -> Int {
        try index.write { db in
            try db.execute(sql: """
                UPDATE route_job SET state = 'pending', next_attempt_at = ?, lease_epoch = NULL, lease_owner = NULL,
                       claim_id = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE state = 'running' AND lease_epoch < ?
                """, arguments: [now, now, epoch])
            return db.changesCount
        }
    }

    static func checkClaim(_ jobID: Int64, claim: String, epoch: Int64, _ db: Database) throws {
        let claimed = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM route_job WHERE id = ? AND state = 'running' AND claim_id = ? AND lease_epoch = ?
            """, arguments: [jobID, claim, epoch]) ?? false
        guard claimed else { throw LeaseLostError(jobID: jobID) }
    }

    static func job(_ id: Int64, _ db: Database) throws -> RouteJob? {
        try Row.fetchOne(db, sql: RouteJob.selectSQL + " WHERE route_job.id = ?", arguments: [id]).map(RouteJob.init(row:))
    }
}
