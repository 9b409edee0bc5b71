import GRDB

/// What the archive holds and how routing stands, for monitoring (`dcmweb`'s /metrics).
public struct ArchiveActivity: Sendable, Equatable {
    public var studies: Int
    public var instances: Int
    /// Sum of the archived files' sizes.
    public var storedBytes: Int64
    /// Routing jobs per state (pending, active, done, dead…).
    public var jobsByState: [String: Int]
    /// Per-instance deliveries per state.
    public var deliveriesByState: [String: Int]
}

extension ArchiveIndex {
    /// One snapshot of the catalogue's totals and the routing queue's states.
    public func activity() throws -> ArchiveActivity {
        try read { db in
            let totals = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM study) AS studies, count(*) AS instances,
                       coalesce(sum(file_size), 0) AS bytes FROM instance
                """)!
            func byState(_ table: String) throws -> [String: Int] {
                let rows = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM \(table) GROUP BY state")
                return Dictionary(uniqueKeysWithValues: rows.map { ($0["state"] as String, $0["n"] as Int) })
            }
            return ArchiveActivity(studies: totals["studies"], instances: totals["instances"], storedBytes: totals["bytes"],
                                   jobsByState: try byState("route_job"), deliveriesByState: try byState("route_item"))
        }
    }
}
