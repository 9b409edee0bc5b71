import GRDB

/// What the reading room's worklist needs of a study (docs/reading-room.md): who sent it and when
/// it first arrived, and its reading status. Added in place (columns, backfills and indices),
/// never by rebuilding the catalogue.
enum ReadingSchema {
    static func create(_ db: Database) throws {
        try db.alter(table: "study") { table in
            // The sending centre: the calling AE title of the study's first instance.
            table.add(column: "calling_ae", .text).notNull().defaults(to: "")
            // Arrival: when the study's first instance was archived (last_received_at is the latest).
            table.add(column: "first_received_at", .datetime)
            // unread | in-progress | read; who holds or read it, since when, and the reader's
            // last sign of life (an in-progress study without one for [web] reading_timeout is unread).
            table.add(column: "reading_state", .text).notNull().defaults(to: "unread")
            table.add(column: "reading_user", .text)
            table.add(column: "reading_since", .datetime)
            table.add(column: "reading_heartbeat_at", .datetime)
        }
        try db.execute(sql: """
            UPDATE study SET
                calling_ae = coalesce((SELECT i.calling_ae FROM instance i JOIN series se ON se.id = i.series_ref
                                       WHERE se.study_ref = study.id ORDER BY i.received_at, i.id LIMIT 1), ''),
                first_received_at = coalesce((SELECT min(i.received_at) FROM instance i JOIN series se ON se.id = i.series_ref
                                              WHERE se.study_ref = study.id), last_received_at)
            """)
        // The worklist filters and sorts on these over 100,000 studies and more.
        try db.create(index: "study_on_first_received_at", on: "study", columns: ["first_received_at"])
        try db.create(index: "study_on_calling_ae", on: "study", columns: ["calling_ae", "first_received_at"])
        try db.create(index: "study_on_reading_state", on: "study", columns: ["reading_state", "first_received_at"])
        try db.create(index: "study_on_study_date_time", on: "study", columns: ["study_date", "study_time"])
    }
}
