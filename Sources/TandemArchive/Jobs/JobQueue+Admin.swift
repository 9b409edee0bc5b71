import Foundation
import GRDB

/// What an admin asks of the queue: `dcmroute list/show/retry/cancel/enqueue`, `clusterctl status`.
extension JobQueue {
    /// Jobs, newest first, optionally only those in `state`.
    public func jobs(state: JobState? = nil, limit: Int = 1000) throws -> [RouteJob] {
        try index.read { db in
            let filter = state == nil ? "" : " WHERE route_job.state = ?"
            let arguments: StatementArguments = state.map { [$0.rawValue, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: RouteJob.selectSQL + filter + " ORDER BY route_job.id DESC LIMIT ?",
                                    arguments: arguments).map(RouteJob.init(row:))
        }
    }

    public func job(_ id: Int64) throws -> RouteJob? {
        try index.read { db in try Self.job(id, db) }
    }

    /// Every delivery record of a job, in the order the instances were queued.
    public func items(of jobID: Int64) throws -> [JobItem] {
        try index.read { db in
            try Row.fetchAll(db, sql: JobItem.selectSQL + " WHERE route_item.job_id = ? ORDER BY route_item.rowid",
                             arguments: [jobID]).map(JobItem.init(row:))
        }
    }

    /// Jobs a worker may still act on (pending, running, waiting to retry).
    public func depth() throws -> Int {
        try index.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM route_job WHERE state IN ('pending', 'running', 'failed-will-retry')") ?? 0
        }
    }

    /// Makes a dead, cancelled or waiting job due now with a fresh set of attempts; instances the
    /// peer refused are queued again. A done or running job is left alone (error).
    public func retry(_ jobID: Int64, now: Date = Date()) throws -> RouteJob {
        try index.write { db in
            guard let job = try Self.job(jobID, db) else { throw JobRequestError.notFound("no job \(jobID)") }
            guard [.dead, .cancelled, .failedWillRetry, .pending].contains(job.state) else {
                throw JobRequestError.notApplicable("job \(jobID) is \(job.state.rawValue); only dead, cancelled or waiting jobs are retried")
            }
            try Self.requeue(jobID, now: now, db)
            return try Self.job(jobID, db)!
        }
    }

    /// `retry` for every dead job; returns how many.
    public func retryAllDead(now: Date = Date()) throws -> Int {
        try index.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM route_job WHERE state = 'dead'")
            for id in ids { try Self.requeue(id, now: now, db) }
            return ids.count
        }
    }

    /// Stops a job. A worker delivering it notices at its next record and lets go.
    public func cancel(_ jobID: Int64, now: Date = Date()) throws -> RouteJob {
        try index.write { db in
            guard let job = try Self.job(jobID, db) else { throw JobRequestError.notFound("no job \(jobID)") }
            guard job.state != .done else { throw JobRequestError.notApplicable("job \(jobID) is already done") }
            try db.execute(sql: """
                UPDATE route_job SET state = 'cancelled', lease_epoch = NULL, lease_owner = NULL, claim_id = NULL, lease_expires_at = NULL,
                       last_error = 'cancelled by an admin', updated_at = ? WHERE id = ?
                """, arguments: [now, jobID])
            return try Self.job(jobID, db)!
        }
    }

    /// Queues every instance of a study for `destination`, as an admin's manual route: what was
    /// already delivered there is not sent again. Returns the job.
    public func enqueue(studyInstanceUID: String, destination: String, now: Date = Date()) throws -> RouteJob {
        try index.write { db in
            let instances = try String.fetchAll(db, sql: """
                SELECT instance.sop_instance_uid FROM instance JOIN series ON series.id = instance.series_ref
                JOIN study ON study.id = series.study_ref WHERE study.study_uid = ? ORDER BY series.id, instance.id
                """, arguments: [studyInstanceUID])
            guard !instances.isEmpty else { throw JobRequestError.notFound("no study \(studyInstanceUID) in the archive") }
            let target = RouteTarget(destination: destination, routeName: "manual", stableAfterSeconds: 0)
            try Self.enqueue(study: studyInstanceUID, instances: instances, target: target, arrival: .manual, now: now, db)
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM route_job WHERE study_uid = ? AND destination = ?",
                                        arguments: [studyInstanceUID, destination])!
            return try Self.job(id, db)!
        }
    }

    private static func requeue(_ jobID: Int64, now: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE route_item SET state = 'queued', updated_at = ? WHERE job_id = ? AND state = 'failed'",
                       arguments: [now, jobID])
        try db.execute(sql: """
            UPDATE route_job SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?
            WHERE id = ?
            """, arguments: [now, now, jobID])
    }
}
