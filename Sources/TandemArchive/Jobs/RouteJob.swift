import Foundation
import GRDB

/// Where a routing job stands (the vocabulary; stored as the raw value).
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Waiting to be claimed: now, or once its study is stable.
    case pending
    /// Claimed by a worker under a cluster epoch, until its lease expires.
    case running
    /// Every instance delivered.
    case done
    /// The last attempt failed; the next one is due at `nextAttemptAt`.
    case failedWillRetry = "failed-will-retry"
    /// Out of attempts, or refused for good (an instance the peer will never take); an admin may retry.
    case dead
    /// Stopped by an admin.
    case cancelled

    /// States a worker may still act on: what `clusterctl status` counts as queue depth.
    public static let open: [JobState] = [.pending, .running, .failedWillRetry]
}

/// One instance of a job.
public enum ItemState: String, Sendable, CaseIterable, Codable {
    case queued, delivered, failed
}

/// A job: one study (or the part of it the rules matched) for one destination.
public struct RouteJob: Sendable, Equatable, Codable {
    public var id: Int64
    public var studyInstanceUID: String
    public var destination: String
    public var routeName: String
    public var state: JobState
    public var stableAfterSeconds: Int
    public var attempts: Int
    public var nextAttemptAt: Date
    public var leaseEpoch: Int64?
    public var leaseOwner: String?
    /// The token of the current claim, drawn afresh at each claim; nil when not claimed.
    public var claimID: String?
    public var leaseExpiresAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var queuedItems: Int
    public var deliveredItems: Int
    public var failedItems: Int

    static let selectSQL = """
        SELECT route_job.*,
               (SELECT count(*) FROM route_item WHERE job_id = route_job.id AND state = 'queued') AS queued,
               (SELECT count(*) FROM route_item WHERE job_id = route_job.id AND state = 'delivered') AS delivered,
               (SELECT count(*) FROM route_item WHERE job_id = route_job.id AND state = 'failed') AS failed
        FROM route_job
        """

    init(row: Row) {
        id = row["id"]
        studyInstanceUID = row["study_uid"]
        destination = row["destination"]
        routeName = row["route_name"]
        state = JobState(rawValue: row["state"]) ?? .dead
        stableAfterSeconds = row["stable_after"]
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        leaseEpoch = row["lease_epoch"]
        leaseOwner = row["lease_owner"]
        claimID = row["claim_id"]
        leaseExpiresAt = row["lease_expires_at"]
        lastError = row["last_error"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        queuedItems = row["queued"]
        deliveredItems = row["delivered"]
        failedItems = row["failed"]
    }
}

/// One instance's delivery record, with where its file is when the archive still has it.
public struct JobItem: Sendable, Equatable, Codable {
    public var sopInstanceUID: String
    public var state: ItemState
    /// The peer's last C-STORE status for it.
    public var status: UInt16?
    public var detail: String?
    public var updatedAt: Date
    /// Relative to the data root; nil when the instance is no longer indexed or its file is missing.
    public var filePath: String?

    init(row: Row) {
        sopInstanceUID = row["sop_instance_uid"]
        state = ItemState(rawValue: row["state"]) ?? .failed
        status = (row["status"] as Int64?).map { UInt16(truncatingIfNeeded: $0) }
        detail = row["detail"]
        updatedAt = row["updated_at"]
        filePath = row["missing_since"] as Date? == nil ? row["file_path"] : nil
    }

    static let selectSQL = """
        SELECT route_item.*, instance.file_path, instance.missing_since
        FROM route_item LEFT JOIN instance ON instance.sop_instance_uid = route_item.sop_instance_uid
        """
}

/// Where a rule sends one instance.
public struct RouteTarget: Sendable, Hashable {
    public var destination: String
    public var routeName: String
    /// 0 delivers as soon as possible; otherwise the study must have been quiet this long.
    public var stableAfterSeconds: Int

    public init(destination: String, routeName: String, stableAfterSeconds: Int) {
        self.destination = destination
        self.routeName = routeName
        self.stableAfterSeconds = stableAfterSeconds
    }
}

/// What became of one instance in a delivery attempt.
public struct ItemResult: Sendable, Equatable {
    public var sopInstanceUID: String
    /// `.queued` means "try again" (a transient failure), with the status and detail recorded.
    public var state: ItemState
    public var status: UInt16?
    public var detail: String?

    public init(sopInstanceUID: String, state: ItemState, status: UInt16? = nil, detail: String? = nil) {
        self.sopInstanceUID = sopInstanceUID
        self.state = state
        self.status = status
        self.detail = detail
    }
}

/// How a worker ends its claim on a job.
public enum JobConclusion: Sendable, Equatable {
    /// The association went through: done, or pending again if instances were queued meanwhile,
    /// or dead if the peer refused some instance for good.
    case delivered
    /// The attempt failed (peer down, rejected, aborted, transient statuses): counts an attempt.
    case retry(at: Date, reason: String)
    /// Out of attempts, or nothing deliverable.
    case dead(reason: String)
    /// Interrupted (the worker is stopping): back to pending, no attempt counted.
    case released
}

/// The job is no longer claimed by this worker (cancelled by an admin, or its lease expired and
/// another worker took it): the worker must stop acting on it.
public struct LeaseLostError: Error, CustomStringConvertible {
    public let jobID: Int64
    public var description: String { "job \(jobID) is no longer claimed by this worker" }
}

/// An admin request that does not apply.
public enum JobRequestError: Error, CustomStringConvertible, Equatable {
    /// No such job, or no such study in the archive.
    case notFound(String)
    /// The job's state does not allow it.
    case notApplicable(String)

    public var description: String {
        switch self {
        case .notFound(let message), .notApplicable(let message): message
        }
    }
}
