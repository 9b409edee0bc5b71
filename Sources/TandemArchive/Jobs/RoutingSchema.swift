import GRDB

/// Tables of the routing queue: one job per (study, destination), one delivery record per
/// instance of a job, and the cursor up to which received instances have met the rules.
enum RoutingSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "route_job") { table in
            table.autoIncrementedPrimaryKey("id")
            // No foreign key to `study`: a study deleted while queued must leave its job to report it.
            table.column("study_uid", .text).notNull()
            table.column("destination", .text).notNull()
            table.column("route_name", .text).notNull()
            table.column("state", .text).notNull()
            // 0 for on-receive; else the study must have been quiet this long before a claim.
            table.column("stable_after", .integer).notNull().defaults(to: 0)
            table.column("attempts", .integer).notNull().defaults(to: 0)
            table.column("next_attempt_at", .datetime).notNull()
            // The claim: the claimer's cluster epoch, who it is, and until when the claim holds.
            table.column("lease_epoch", .integer)
            table.column("lease_owner", .text)
            table.column("lease_expires_at", .datetime)
            table.column("last_error", .text)
            table.column("created_at", .datetime).notNull()
            table.column("updated_at", .datetime).notNull()
            table.uniqueKey(["study_uid", "destination"])
        }
        try db.create(index: "route_job_due", on: "route_job", columns: ["state", "next_attempt_at"])
        try db.create(table: "route_item") { table in
            table.column("job_id", .integer).notNull().references("route_job", onDelete: .cascade)
            table.column("sop_instance_uid", .text).notNull()
            table.column("state", .text).notNull()
            // The peer's last C-STORE status for this instance, and what it or we said about it.
            table.column("status", .integer)
            table.column("detail", .text)
            table.column("updated_at", .datetime).notNull()
            table.primaryKey(["job_id", "sop_instance_uid"])
        }
        try db.create(table: "routing_cursor") { table in
            table.primaryKey("id", .integer).check { $0 == 1 }
            table.column("last_instance_id", .integer).notNull()
        }
        // Rules apply to what arrives from now on: an archive that gains routing does not
        // forward its whole history (an admin enqueues old studies by hand).
        try db.execute(sql: "INSERT INTO routing_cursor (id, last_instance_id) SELECT 1, coalesce(max(id), 0) FROM instance")
    }

    /// The claim's own token (`RouteJob.claimID`): owner and epoch alone cannot tell a worker's
    /// current claim from its expired or cancelled one.
    static func addClaimID(_ db: Database) throws {
        try db.alter(table: "route_job") { table in
            table.add(column: "claim_id", .text)
        }
    }
}
